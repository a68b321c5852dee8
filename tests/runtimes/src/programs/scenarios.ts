// What every runtime runs, written against web-standard APIs only: the demo agent on the offline model and
// an agent on OpenAIModel with one tool turn. Each runtime's entry (Bun and Deno serve, the workerd module
// worker, the browser page) wraps these same functions.

import { Agent, type AgentEvent, type Tool, tool } from '@agent/core'
import { OpenAIModel } from '@agent/openai'
import { z } from 'zod'

/** The recorded tool call asks for this tool; its answer must reach the model's second request. */
export const weatherTool = tool({
  name: 'GetWeatherArgs',
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string(), country: z.string(), units: z.enum(['c', 'f']) }),
  callback: ({ city, units }) => `${city}: 12 °${units.toUpperCase()}, light rain`,
})

export interface ScenarioOutcome {
  text: string
  eventTypes: string[]
  toolResults: unknown[]
}

async function collect(stream: AsyncIterable<AgentEvent>, onText?: (text: string) => void) {
  const outcome: ScenarioOutcome = { text: '', eventTypes: [], toolResults: [] }
  for await (const event of stream) {
    if (!outcome.eventTypes.includes(event.type)) outcome.eventTypes.push(event.type)
    if (event.type === 'data') onText?.(event.data)
    if (event.type === 'tool_result') outcome.toolResults.push(event.tool_result)
    if (event.type === 'result') outcome.text = event.result.message.content.map(textOf).join('')
  }
  return outcome
}

function textOf(block: object): string {
  return 'text' in block && typeof block.text === 'string' ? block.text : ''
}

/**
 * Where `@agent/calculator` cannot run (it evaluates in a node:worker_threads worker: workerd, browsers),
 * the demo gets this `calculator` instead: one binary operation on two numbers, nothing else.
 */
export const arithmeticCalculator = tool({
  name: 'calculator',
  description: 'Evaluates one binary operation on two numbers, such as 2+2',
  inputSchema: z.object({ expression: z.string().max(64) }),
  callback: ({ expression }) => {
    const match = /^\s*(-?\d+(?:\.\d+)?)\s*([-+*/])\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression)
    if (match === null) throw new Error(`Only "a op b" is supported, got "${expression}".`)
    const [left, right] = [Number(match[1]), Number(match[3])]
    const operations = { '+': left + right, '-': left - right, '*': left * right, '/': left / right }
    return String(operations[match[2] as keyof typeof operations])
  },
})

/** The stream-async demo: no model configured, so the offline model answers with the calculator. */
export function offlineDemo(calculator: Tool): Promise<ScenarioOutcome> {
  const agent = new Agent({ tools: [calculator], callbackHandler: null })
  return collect(agent.stream('Calculate 2+2'))
}

export function openAIModel(baseURL: string, browser = false): OpenAIModel {
  return new OpenAIModel({
    modelId: 'gpt-4o',
    clientArgs: { apiKey: 'loopback-key', baseURL, dangerouslyAllowBrowser: browser },
  })
}

/** One tool turn against the loopback OpenAI server: tool call, tool result, final text. */
export function openAIToolTurn(
  baseURL: string,
  options: { browser?: boolean; onText?: (text: string) => void } = {},
): Promise<ScenarioOutcome> {
  const agent = new Agent({
    model: openAIModel(baseURL, options.browser),
    tools: [weatherTool],
    callbackHandler: null,
  })
  return collect(agent.stream('What is the weather in Edinburgh?'), options.onText)
}
