import { AbortError } from '../errors/invocation-errors.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'

/** What a provider measured about one request, for the `metadata` event. */
export interface StreamMetrics {
  latencyMs: number
  timeToFirstByteMs?: number
}

/**
 * Turns one provider's chunks into `ModelStreamEvent`s, synchronously, appending to `out`: no promise,
 * generator or closure per chunk. `finish` runs once the chunks ended, and throws when the provider's
 * stream was cut short; it appends the closing events (open blocks, `messageStop`, `metadata`).
 */
export interface StreamConverter<Chunk> {
  accept(chunk: Chunk, out: ModelStreamEvent[], timing: StreamTiming): void
  finish(out: ModelStreamEvent[], metrics: StreamMetrics): void
}

/** When the stream started and when its first chunk came (`performance.now()` times). */
export interface StreamTiming {
  readonly startedAt: number
  readonly timeToFirstByteMs: number | undefined
}

/**
 * Chunks handed out one network read at a time, by a provider that reads the HTTP response itself: one
 * promise per read instead of one per chunk.
 */
export interface ChunkBatches<Chunk> {
  /** The chunks of the next read (at least one, in an array that may be reused), or `undefined` at the end. */
  read(): Promise<readonly Chunk[] | undefined>
  /** Stops early; it cancels the request. */
  cancel(): void
}

export interface ProviderStreamOptions<Chunk> {
  /** The provider's name in messages: `The <name> request was aborted.` */
  name: string
  /**
   * Sends the request and returns the provider's chunks, as its client hands them out. Kept apart from
   * the conversion, so that a provider can open the HTTP response another way (a faster client) and keep
   * its converter. `signal` aborts the request: the caller's signal, or with `abortOnStop` the stream's own,
   * which also aborts when the reader stops early.
   */
  open(signal: AbortSignal | undefined): Promise<AsyncIterable<Chunk> | ChunkBatches<Chunk>>
  converter: StreamConverter<Chunk>
  /** The caller's signal (`ModelRequest.signal`). */
  signal: AbortSignal | undefined
  /**
   * Give the request its own `AbortController`, aborted when the caller aborts and when the reader stops
   * early or the stream fails, before the client's stream is released: for clients whose release waits
   * for data that may never come (the AWS SDK's HTTP/2 handler). Off by default, for clients that cancel
   * the request when their stream is released (`openai`): the caller's signal is then passed as is, which
   * costs the client less per request than a second signal.
   */
  abortOnStop?: boolean
  /**
   * Maps whatever the client or the converter threw to a typed error (`AbortError`, `ModelError`…), given
   * the caller's signal: an aborted signal must win over whatever the client reported.
   */
  toError(error: unknown, signal: AbortSignal | undefined): Error
}

type Step = IteratorResult<ModelStreamEvent, undefined>

const done: Step = { value: undefined, done: true }

/**
 * One provider request as a model stream: abort before sending, open, convert each chunk synchronously,
 * finish, map errors. A plain iterator rather than an async generator: per chunk it costs one read of the
 * client's stream and one synchronous conversion, with no generator to suspend and resume (DESIGN §8).
 * Stopping early (`return`) releases the client's stream, which cancels its request (with `abortOnStop`,
 * the request is aborted first).
 */
export class ProviderStream<Chunk> implements AsyncIterableIterator<ModelStreamEvent, undefined> {
  startedAt = 0
  timeToFirstByteMs: number | undefined
  private raw: AsyncIterator<Chunk> | undefined
  private batches: ChunkBatches<Chunk> | undefined
  private readonly queue: ModelStreamEvent[] = []
  private index = 0
  private ended = false
  private readonly options: ProviderStreamOptions<Chunk>
  private readonly converter: StreamConverter<Chunk>
  /** With `abortOnStop`: aborts the request when the caller aborts, or when the reader stops early or the stream fails. */
  private readonly controller: AbortController | undefined
  private readonly forwardAbort: (() => void) | undefined
  /** What aborts the request: the caller's signal, or the controller's. */
  private readonly signal: AbortSignal | undefined

  constructor(options: ProviderStreamOptions<Chunk>) {
    this.options = options
    this.converter = options.converter
    const callerSignal = options.signal
    if (options.abortOnStop === true) {
      const controller = new AbortController()
      this.controller = controller
      if (callerSignal !== undefined && !callerSignal.aborted) {
        this.forwardAbort = () => controller.abort(callerSignal.reason)
        callerSignal.addEventListener('abort', this.forwardAbort, { once: true })
      }
    }
    this.signal = this.controller?.signal ?? callerSignal
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  next(): Promise<Step> {
    if (this.index < this.queue.length)
      return Promise.resolve({ value: this.queue[this.index++]!, done: false })
    if (this.ended) return Promise.resolve(done)
    const batches = this.batches
    if (batches !== undefined) return batches.read().then(this.onBatch, this.onError)
    const raw = this.raw
    if (raw === undefined) return this.start()
    return raw.next().then(this.onChunk, this.onError)
  }

  async return(): Promise<Step> {
    const raw = this.raw
    const batches = this.batches
    this.end()
    const controller = this.controller
    if (controller !== undefined && !controller.signal.aborted) {
      controller.abort(new AbortError('The consumer stopped reading the model stream.'))
    }
    batches?.cancel()
    await raw?.return?.()?.catch(() => {})
    return done
  }

  private async start(): Promise<Step> {
    const callerSignal = this.options.signal
    if (callerSignal?.aborted) {
      this.end()
      throw new AbortError(`The ${this.options.name} request was aborted before it was sent.`, {
        cause: callerSignal.reason,
      })
    }
    this.startedAt = performance.now()
    try {
      const opened = await this.options.open(this.signal)
      if (Symbol.asyncIterator in opened) this.raw = opened[Symbol.asyncIterator]()
      else this.batches = opened
    } catch (error) {
      this.fail()
      throw this.options.toError(error, this.options.signal)
    }
    return this.next()
  }

  private readonly onChunk = (step: IteratorResult<Chunk>): Step | Promise<Step> => {
    this.queue.length = 0
    this.index = 0
    try {
      if (step.done) this.finish()
      else {
        this.timeToFirstByteMs ??= performance.now() - this.startedAt
        this.converter.accept(step.value, this.queue, this)
      }
    } catch (error) {
      this.fail()
      throw this.options.toError(error, this.options.signal)
    }
    return this.handOut()
  }

  private readonly onBatch = (chunks: readonly Chunk[] | undefined): Step | Promise<Step> => {
    this.queue.length = 0
    this.index = 0
    try {
      if (chunks === undefined) this.finish()
      else {
        this.timeToFirstByteMs ??= performance.now() - this.startedAt
        for (let index = 0; index < chunks.length; index++) {
          this.converter.accept(chunks[index]!, this.queue, this)
        }
      }
    } catch (error) {
      this.fail()
      throw this.options.toError(error, this.options.signal)
    }
    return this.handOut()
  }

  /** The chunks ended: the closing events, or the abort that ended them quietly. */
  private finish(): void {
    this.raw = undefined
    this.batches = undefined
    this.end()
    const signal = this.signal
    // Clients end the iteration quietly when the request is aborted mid-stream.
    if (signal?.aborted) {
      throw new AbortError(`The ${this.options.name} request was aborted.`, { cause: signal.reason })
    }
    const latencyMs = performance.now() - this.startedAt
    const timeToFirstByteMs = this.timeToFirstByteMs
    this.converter.finish(
      this.queue,
      timeToFirstByteMs === undefined ? { latencyMs } : { latencyMs, timeToFirstByteMs },
    )
  }

  /** Most reads make exactly one event: hand it out without another promise. */
  private handOut(): Step | Promise<Step> {
    if (this.index < this.queue.length) return { value: this.queue[this.index++]!, done: false }
    return this.next()
  }

  private readonly onError = (error: unknown): never => {
    this.fail()
    throw this.options.toError(error, this.options.signal)
  }

  /** A failed stream: its request is cancelled, and its client stream released without waiting. */
  private fail(): void {
    const raw = this.raw
    const batches = this.batches
    this.end()
    if (raw !== undefined || batches !== undefined) {
      const controller = this.controller
      if (controller !== undefined && !controller.signal.aborted) {
        controller.abort(new AbortError('The model stream failed.'))
      }
      batches?.cancel()
      raw?.return?.()?.catch(() => {})
    }
  }

  private end(): void {
    this.ended = true
    this.raw = undefined
    this.batches = undefined
    this.queue.length = 0
    this.index = 0
    if (this.forwardAbort !== undefined) {
      this.options.signal?.removeEventListener('abort', this.forwardAbort)
    }
  }
}
