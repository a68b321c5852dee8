// The agent side: `Agent` + `OpenAIModel` on the same `openai` client settings as the floor.
import { Agent, messageText, tool } from '@agent/core'
import * as openaiPackage from '@agent/openai'
import { addInputSchema, addition } from './add-tool.mjs'
import { createClient } from './floor.mjs'

const { OpenAIModel, OpenAIResponsesModel } = openaiPackage
export const agentAvailable = typeof OpenAIModel === 'function'

export { createClient }

export const addTool = tool({
  name: 'add',
  description: 'Adds two numbers.',
  inputSchema: addInputSchema,
  callback: addition,
})

export function createAgent(client, modelId, tools, options = {}) {
  if (!agentAvailable)
    throw new Error('@agent/openai does not export OpenAIModel yet (merge the openai branch).')
  return new Agent({
    model: new OpenAIModel({ modelId, client }),
    tools,
    callbackHandler: null,
    ...(options.hooks !== undefined && { hooks: options.hooks }),
    ...(options.messages !== undefined && { messages: options.messages }),
    ...(options.maxCycles !== undefined && { maxCycles: options.maxCycles }),
  })
}

/** The same agent on the Responses API. */
export function createResponsesAgent(client, modelId) {
  return new Agent({ model: new OpenAIResponsesModel({ modelId, client }), callbackHandler: null })
}

/** Diagnostic: `OpenAIModel.stream()` read directly, no agent, the way the loop reads it (with a signal). */
export async function modelOnlyRun(client, modelId, prompt) {
  const model = new OpenAIModel({ modelId, client })
  const controller = new AbortController()
  let deltas = 0
  let text = ''
  for await (const event of model.stream({
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    signal: controller.signal,
  })) {
    const delta = event.contentBlockDelta?.delta.text
    if (delta !== undefined) {
      deltas++
      text += delta
    }
  }
  return { deltas, text }
}

/** Streams one invocation the way an app does: reads every event, counts text deltas and tool results. */
export async function agentRun(agent, prompt) {
  let deltas = 0
  let toolCalls = 0
  let result
  for await (const event of agent.stream(prompt)) {
    if (event.type === 'data') deltas++
    else if (event.type === 'tool_result') toolCalls++
    else if (event.type === 'result') result = event.result
  }
  return { deltas, toolCalls, result, text: result === undefined ? '' : messageText(result.message) }
}
