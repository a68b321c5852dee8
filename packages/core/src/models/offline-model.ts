import { AbortError } from '../errors/invocation-errors.js'
import type { Model, ModelRequest } from '../model/model.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { Message, ToolResult } from '../types/messages.js'

export interface OfflineModelOptions {
  /** Pause between streamed tokens, to watch the stream in a UI. Default 0. */
  tokenDelayMs?: number
}

const arithmeticPattern = /[(\d][\d\s.+\-*/^%()]*[\d)]/g
const hasOperator = /[\d)]\s*[-+*/^%]\s*[(\d]/

/**
 * A model that needs no network and no key, so that the demo runs anywhere. It is not a language
 * model: it finds arithmetic in the prompt, asks the `calculator` tool for it when that tool is
 * present, and answers from the result; otherwise it says that no provider is configured.
 */
export class OfflineModel implements Model {
  readonly provider = 'offline'
  readonly modelId = 'offline'
  private readonly tokenDelayMs: number

  constructor(options: OfflineModelOptions = {}) {
    this.tokenDelayMs = options.tokenDelayMs ?? 0
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const startedAt = performance.now()
    const signal = request.signal
    const last = request.messages.at(-1)
    const calculatorResults = last?.role === 'user' ? calculatorResultsIn(last, request.messages) : []
    const expressions = last?.role === 'user' ? arithmeticIn(textOf(last)) : []
    const hasCalculator = request.toolSpecs?.some((spec) => spec.name === 'calculator') ?? false

    let outputTokens = 0
    const pause = async () => {
      if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs))
      if (signal?.aborted)
        throw new AbortError('The offline model stream was aborted.', { cause: signal.reason })
    }

    yield { messageStart: { role: 'assistant' } }
    let stopReason: 'end_turn' | 'tool_use' = 'end_turn'
    if (calculatorResults.length === 0 && expressions.length > 0 && hasCalculator) {
      stopReason = 'tool_use'
      for (const [index, expression] of expressions.entries()) {
        yield {
          contentBlockStart: {
            contentBlockIndex: index,
            start: {
              toolUse: { toolUseId: `offline-${Date.now().toString(36)}-${index}`, name: 'calculator' },
            },
          },
        }
        for (const piece of splitEvery(JSON.stringify({ expression }), 6)) {
          await pause()
          outputTokens++
          yield { contentBlockDelta: { contentBlockIndex: index, delta: { toolUse: { input: piece } } } }
        }
        yield { contentBlockStop: { contentBlockIndex: index } }
      }
    } else {
      const answer =
        calculatorResults.length > 0
          ? answerFromResults(calculatorResults)
          : noProviderAnswer(expressions.length > 0)
      for (const token of answer.match(/\S+\s*/g) ?? []) {
        await pause()
        outputTokens++
        yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: token } } }
      }
      yield { contentBlockStop: { contentBlockIndex: 0 } }
    }
    yield { messageStop: { stopReason } }
    const inputTokens = Math.ceil(JSON.stringify(request.messages).length / 4)
    yield {
      metadata: {
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        metrics: { latencyMs: Math.round(performance.now() - startedAt) },
      },
    }
  }
}

function textOf(message: Message): string {
  let text = ''
  for (const block of message.content) if ('text' in block) text += `${block.text}\n`
  return text
}

function arithmeticIn(text: string): string[] {
  return (text.match(arithmeticPattern) ?? [])
    .map((match) => match.trim())
    .filter((match) => hasOperator.test(match))
}

/** Pairs each calculator result in the last message with the expression that was asked. */
function calculatorResultsIn(
  last: Message,
  messages: readonly Message[],
): { expression: string; result: ToolResult }[] {
  const asked = new Map<string, string>()
  for (const message of messages) {
    for (const block of message.content) {
      if ('toolUse' in block && block.toolUse.name === 'calculator') {
        const input = block.toolUse.input as { expression?: unknown }
        asked.set(block.toolUse.toolUseId, String(input?.expression ?? ''))
      }
    }
  }
  const results: { expression: string; result: ToolResult }[] = []
  for (const block of last.content) {
    if ('toolResult' in block && asked.has(block.toolResult.toolUseId)) {
      results.push({ expression: asked.get(block.toolResult.toolUseId)!, result: block.toolResult })
    }
  }
  return results
}

function answerFromResults(results: { expression: string; result: ToolResult }[]): string {
  const lines = results.map(({ expression, result }) => {
    const text = result.content
      .map((part) => ('text' in part ? part.text : ''))
      .join(' ')
      .trim()
    if (result.status === 'error') return `The calculator could not compute ${expression}: ${text}`
    const value = text.split('\n')[0]!.trim()
    return `${expression} = ${value}`
  })
  return `${lines.join('\n')}\n(Answered by the offline model, which only does arithmetic with the calculator tool.)`
}

function noProviderAnswer(sawArithmetic: boolean): string {
  return (
    'No model provider is configured, so this is the offline model: it can only do arithmetic with the calculator tool' +
    `${sawArithmetic ? ', and no calculator tool was given' : ''}. ` +
    'Set OPENAI_API_KEY, AWS credentials, or AGENT_MODEL (for example openai:gpt-4.1-mini) to use a real model.'
  )
}

function splitEvery(text: string, size: number): string[] {
  const pieces: string[] = []
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size))
  return pieces
}
