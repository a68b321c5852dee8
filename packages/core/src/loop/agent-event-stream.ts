import type { AgentResult } from '../agent/agent-result.js'
import type { AgentEvent } from '../events/agent-events.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { MessageAggregator } from './message-aggregator.js'

/** What the loop yields when a model turn should stream: the wrapper below runs it and resumes the loop. */
export class ModelStreamPhase {
  readonly stream: AsyncIterable<ModelStreamEvent>
  readonly aggregator: MessageAggregator

  constructor(stream: AsyncIterable<ModelStreamEvent>, aggregator: MessageAggregator) {
    this.stream = stream
    this.aggregator = aggregator
  }
}

/** How a model turn's stream ended, sent back into the loop. */
export interface ModelStreamOutcome {
  /** Set when the provider's stream (or the aggregation of a chunk) failed. */
  failure?: { error: unknown }
  firstChunkAt: number | undefined
}

export type EventLoopGenerator = AsyncGenerator<
  AgentEvent | ModelStreamPhase,
  AgentResult,
  ModelStreamOutcome | undefined
>

type Step = IteratorResult<AgentEvent, AgentResult>

/**
 * The stream `agent.stream()` returns. The loop generator does everything except the per-token work:
 * while a model turn streams, this iterator reads the provider directly and hands out the `model_stream`
 * event and its derived event (`data`, `tool_use_stream`, `reasoning`) without resuming the generator for
 * each one. That keeps the cost per token to one provider read and two plain promise resolutions (DESIGN §8).
 */
export class AgentEventStream implements AsyncGenerator<AgentEvent, AgentResult, undefined> {
  private phase: ModelStreamPhase | undefined
  private iterator: AsyncIterator<ModelStreamEvent> | undefined
  private pending: AgentEvent | undefined
  private pendingFailure: { error: unknown } | undefined
  private firstChunkAt: number | undefined
  /** Settles the consumer's pending read of the provider; undefined when no read is pending. */
  private resolveRead: ((step: Step | Promise<Step>) => void) | undefined
  private readonly loop: EventLoopGenerator
  private readonly notify: ((event: AgentEvent) => void) | undefined
  private readonly stop: () => void
  private readonly signal: AbortSignal

  /**
   * `stop` aborts the run: called first when the consumer ends the stream, so that nothing it waits on can hang.
   * `signal` is the run's: while a model turn streams, its abort ends the turn even if the provider never answers.
   */
  constructor(
    loop: EventLoopGenerator,
    notify: ((event: AgentEvent) => void) | undefined,
    stop: () => void,
    signal: AbortSignal,
  ) {
    this.loop = loop
    this.notify = notify
    this.stop = stop
    this.signal = signal
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return(undefined)
  }

  next(): Promise<Step> {
    const pending = this.pending
    if (pending !== undefined) {
      this.pending = undefined
      return Promise.resolve({ value: pending, done: false })
    }
    if (this.pendingFailure !== undefined) return this.endPhase(this.pendingFailure)
    if (this.iterator === undefined) return this.resume(undefined)
    return new Promise(this.read)
  }

  async return(value?: AgentResult | PromiseLike<AgentResult>): Promise<Step> {
    this.stop()
    await this.closeProvider()
    return (await this.loop.return(value as AgentResult)) as Step
  }

  async throw(error?: unknown): Promise<Step> {
    this.stop()
    await this.closeProvider()
    return this.settle(await this.loop.throw(error))
  }

  /**
   * Reads the provider once. The consumer's promise is settled here or by `onAbort`, whichever comes first:
   * a provider that ignores its signal cannot hold the run, and a read costs no race (one listener per turn).
   */
  private readonly read = (resolve: (step: Step | Promise<Step>) => void): void => {
    this.resolveRead = resolve
    try {
      this.iterator!.next().then(this.onRead, this.onStreamError)
    } catch (error) {
      this.onStreamError(error)
    }
  }

  private readonly onRead = (step: IteratorResult<ModelStreamEvent>): void => {
    const resolve = this.resolveRead
    // Undefined once the read was abandoned on abort: what the provider sends later is dropped.
    if (resolve === undefined) return
    this.resolveRead = undefined
    resolve(this.onChunk(step))
  }

  private readonly onStreamError = (error: unknown): void => {
    const resolve = this.resolveRead
    if (resolve === undefined) return
    this.resolveRead = undefined
    resolve(this.endPhase({ error }))
  }

  /** The run aborted during a model turn: the pending read ends the turn now, or the next read will. */
  private readonly onAbort = (): void => {
    const failure = { error: this.signal.reason }
    const resolve = this.resolveRead
    if (resolve === undefined) {
      this.pendingFailure = failure
      return
    }
    this.resolveRead = undefined
    resolve(this.endPhase(failure))
  }

  private onChunk(step: IteratorResult<ModelStreamEvent>): Promise<Step> | Step {
    if (step.done) return this.endPhase(undefined)
    const chunk = step.value
    this.firstChunkAt ??= performance.now()
    const event: AgentEvent = { type: 'model_stream', event: chunk }
    try {
      this.notify?.(event)
      const derived = this.phase!.aggregator.accept(chunk)
      if (derived !== undefined) {
        this.notify?.(derived)
        this.pending = derived
      }
    } catch (error) {
      // A malformed chunk or a failing callback: the chunk is still shown, the failure follows on the next read.
      this.pending = undefined
      this.pendingFailure = { error }
    }
    return { value: event, done: false }
  }

  private endPhase(failure: { error: unknown } | undefined): Promise<Step> {
    const outcome: ModelStreamOutcome = { firstChunkAt: this.firstChunkAt }
    if (failure !== undefined) {
      outcome.failure = failure
      // A failed provider stream is ended so that its request does not linger.
      try {
        this.iterator?.return?.().catch(() => {})
      } catch {
        // The loop reports the failure that matters, not the provider's trouble closing.
      }
    }
    this.signal.removeEventListener('abort', this.onAbort)
    this.phase = undefined
    this.iterator = undefined
    this.pendingFailure = undefined
    this.firstChunkAt = undefined
    return this.resume(outcome)
  }

  private resume(outcome: ModelStreamOutcome | undefined): Promise<Step> {
    return this.loop.next(outcome).then((step) => this.settle(step))
  }

  private settle(step: IteratorResult<AgentEvent | ModelStreamPhase, AgentResult>): Promise<Step> | Step {
    if (step.done || !(step.value instanceof ModelStreamPhase)) return step as Step
    this.phase = step.value
    try {
      this.iterator = step.value.stream[Symbol.asyncIterator]()
    } catch (error) {
      return this.endPhase({ error })
    }
    if (this.signal.aborted) return this.endPhase({ error: this.signal.reason })
    this.signal.addEventListener('abort', this.onAbort)
    return this.next()
  }

  /** On an early stop: end the provider's stream first (it aborts its request), then the loop runs its `finally`. */
  private async closeProvider(): Promise<void> {
    const iterator = this.iterator
    this.signal.removeEventListener('abort', this.onAbort)
    this.iterator = undefined
    this.phase = undefined
    this.pending = undefined
    this.pendingFailure = undefined
    if (iterator?.return !== undefined) {
      try {
        await iterator.return()
      } catch {
        // The loop's own cleanup reports what matters.
      }
    }
  }
}
