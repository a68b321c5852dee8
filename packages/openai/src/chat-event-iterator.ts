import { AbortError, type ModelStreamEvent } from '@agent/core'
import type { ChatChunk, ChatStreamConverter } from './chat-stream-converter.js'
import { toModelError } from './map-openai-error.js'

type Step = IteratorResult<ModelStreamEvent, undefined>

const done: Step = { value: undefined, done: true }

/**
 * The events of one Chat Completions stream, converted chunk by chunk as the agent reads them. A plain
 * iterator rather than an async generator: per token it costs one read of the client's stream and one
 * synchronous conversion, with no generator to suspend and resume (the hot path, DESIGN §8).
 */
export class ChatEventIterator implements AsyncIterableIterator<ModelStreamEvent, undefined> {
  private raw: AsyncIterator<ChatChunk> | undefined
  private readonly queue: ModelStreamEvent[] = []
  private index = 0
  private ended = false
  private timeToFirstByteMs: number | undefined
  private readonly startedAt = performance.now()
  private readonly open: () => Promise<AsyncIterable<ChatChunk>>
  private readonly converter: ChatStreamConverter
  private readonly signal: AbortSignal | undefined

  constructor(
    open: () => Promise<AsyncIterable<ChatChunk>>,
    converter: ChatStreamConverter,
    signal: AbortSignal | undefined,
  ) {
    this.open = open
    this.converter = converter
    this.signal = signal
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<Step> {
    if (this.index < this.queue.length)
      return Promise.resolve({ value: this.queue[this.index++]!, done: false })
    if (this.ended) return Promise.resolve(done)
    const raw = this.raw
    if (raw === undefined) return this.start()
    return raw.next().then(this.onChunk, this.onError)
  }

  async return(): Promise<Step> {
    this.ended = true
    this.queue.length = 0
    const raw = this.raw
    this.raw = undefined
    // Ends the client's stream, which aborts its HTTP request.
    await raw?.return?.()
    return done
  }

  private async start(): Promise<Step> {
    if (this.signal?.aborted) {
      this.ended = true
      throw new AbortError('The OpenAI request was aborted before it was sent.', {
        cause: this.signal.reason,
      })
    }
    try {
      this.raw = (await this.open())[Symbol.asyncIterator]()
    } catch (error) {
      this.ended = true
      throw toModelError(error, this.signal, 'OpenAI')
    }
    return this.next()
  }

  private readonly onChunk = (step: IteratorResult<ChatChunk>): Step | Promise<Step> => {
    this.queue.length = 0
    this.index = 0
    try {
      if (step.done) {
        this.ended = true
        this.raw = undefined
        // The client ends the iteration quietly when the request is aborted mid-stream.
        if (this.signal?.aborted)
          throw new AbortError('The OpenAI request was aborted.', { cause: this.signal.reason })
        const latencyMs = performance.now() - this.startedAt
        const timeToFirstByteMs = this.timeToFirstByteMs
        this.converter.finish(
          this.queue,
          timeToFirstByteMs === undefined ? { latencyMs } : { latencyMs, timeToFirstByteMs },
        )
      } else {
        this.timeToFirstByteMs ??= performance.now() - this.startedAt
        this.converter.accept(step.value, this.queue)
      }
    } catch (error) {
      this.fail()
      throw toModelError(error, this.signal, 'OpenAI')
    }
    // Most chunks make exactly one event: hand it out without another promise.
    if (this.index < this.queue.length) return { value: this.queue[this.index++]!, done: false }
    return this.next()
  }

  private readonly onError = (error: unknown): never => {
    this.fail()
    throw toModelError(error, this.signal, 'OpenAI')
  }

  private fail(): void {
    this.ended = true
    this.queue.length = 0
    const raw = this.raw
    this.raw = undefined
    raw?.return?.().catch(() => {})
  }
}
