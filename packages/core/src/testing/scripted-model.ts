import { AbortError } from '../errors/invocation-errors.js'
import type { Model, ModelRequest } from '../model/model.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { ContentBlock, Message } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Usage } from '../types/usage.js'

/** One scripted model reply. */
export type ScriptedTurn =
  /** Content streamed as a provider would: text word by word, tool input in pieces. */
  | { content: ContentBlock[]; stopReason?: StopReason; usage?: Usage }
  /** Raw stream events, sent as given. */
  | { events: ModelStreamEvent[] }
  /** Sends `events`, then throws `error`. */
  | { error: Error; events?: ModelStreamEvent[] }
  /** Sends `events`, then waits until the request is aborted (for abort and disconnect tests). */
  | { hang: true; events?: ModelStreamEvent[] }
  /** Decides from the request. */
  | ((request: ModelRequest) => ScriptedTurn)

export interface ScriptedModelOptions {
  /** Wait this long before each event (ms). Default 0: events still arrive asynchronously. */
  delayMs?: number
}

/**
 * A model that replies from a script, for tests of anything built on the agent loop. It records every
 * request it receives (a snapshot of the messages at that time) and fails loudly when the script runs out.
 */
export class ScriptedModel implements Model {
  readonly provider = 'scripted'
  readonly modelId = 'scripted'
  readonly requests: ModelRequest[] = []
  private readonly turns: ScriptedTurn[]
  private readonly delayMs: number

  constructor(turns: ScriptedTurn[], options: ScriptedModelOptions = {}) {
    this.turns = [...turns]
    this.delayMs = options.delayMs ?? 0
  }

  /** Replies not yet used. */
  get remaining(): number {
    return this.turns.length
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    this.requests.push({ ...request, messages: structuredClone(request.messages) as Message[] })
    let turn = this.turns.shift()
    if (turn === undefined)
      throw new Error(`ScriptedModel: no reply scripted for request #${this.requests.length}.`)
    while (typeof turn === 'function') turn = turn(request)
    const signal = request.signal
    const events =
      'content' in turn
        ? contentToStreamEvents(turn.content, turn.stopReason, turn.usage)
        : (turn.events ?? [])
    for (const event of events) {
      if (this.delayMs > 0) await sleep(this.delayMs, signal)
      if (signal?.aborted)
        throw new AbortError('The scripted model request was aborted.', { cause: signal.reason })
      yield event
    }
    if ('error' in turn) throw turn.error
    if ('hang' in turn) {
      await sleep(Number.POSITIVE_INFINITY, signal)
    }
  }
}

/** The stream a provider would send for this content: text word by word, tool input JSON in two pieces. */
export function contentToStreamEvents(
  content: ContentBlock[],
  stopReason?: StopReason,
  usage: Usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
): ModelStreamEvent[] {
  const events: ModelStreamEvent[] = [{ messageStart: { role: 'assistant' } }]
  content.forEach((block, contentBlockIndex) => {
    if ('text' in block) {
      for (const token of block.text.match(/\S+\s*|\s+/g) ?? ['']) {
        events.push({ contentBlockDelta: { contentBlockIndex, delta: { text: token } } })
      }
    } else if ('toolUse' in block) {
      const { toolUseId, name, input } = block.toolUse
      events.push({ contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } } })
      const json = typeof input === 'string' ? input : JSON.stringify(input)
      const middle = Math.ceil(json.length / 2)
      for (const piece of [json.slice(0, middle), json.slice(middle)]) {
        if (piece !== '')
          events.push({ contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: piece } } } })
      }
    } else if ('reasoningContent' in block) {
      const { reasoningText, redactedContent } = block.reasoningContent
      if (reasoningText !== undefined) {
        for (const token of reasoningText.text.match(/\S+\s*/g) ?? []) {
          events.push({
            contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { text: token } } },
          })
        }
        if (reasoningText.signature !== undefined) {
          events.push({
            contentBlockDelta: {
              contentBlockIndex,
              delta: { reasoningContent: { signature: reasoningText.signature } },
            },
          })
        }
      }
      if (redactedContent !== undefined) {
        events.push({
          contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { redactedContent } } },
        })
      }
    } else {
      throw new Error(`ScriptedModel: a model cannot send a ${Object.keys(block)[0]} block.`)
    }
    events.push({ contentBlockStop: { contentBlockIndex } })
  })
  const usesTools = content.some((block) => 'toolUse' in block)
  events.push({ messageStop: { stopReason: stopReason ?? (usesTools ? 'tool_use' : 'end_turn') } })
  events.push({ metadata: { usage, metrics: { latencyMs: 1 } } })
  return events
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(new AbortError('The scripted model request was aborted.', { cause: signal.reason }))
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined
    function done() {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    function onAbort() {
      clearTimeout(timer)
      reject(new AbortError('The scripted model request was aborted.', { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
