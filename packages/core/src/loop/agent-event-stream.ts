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
  private readonly loop: EventLoopGenerator
  private readonly notify: ((event: AgentEvent) => void) | undefined
  private readonly stop: () => void

  /** `stop` aborts the run: called first when the consumer ends the stream, so that nothing it waits on can hang. */
  constructor(loop: EventLoopGenerator, notify: ((event: AgentEvent) => void) | undefined, stop: () => void) {
    this.loop = loop
    this.notify = notify
    this.stop = stop
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
    const iterator = this.iterator
    if (iterator === undefined) return this.resume(undefined)
    return iterator.next().then(this.onChunk, this.onStreamError)
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

  private readonly onChunk = (step: IteratorResult<ModelStreamEvent>): Promise<Step> | Step => {
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

  private readonly onStreamError = (error: unknown): Promise<Step> => this.endPhase({ error })

  private endPhase(failure: { error: unknown } | undefined): Promise<Step> {
    const outcome: ModelStreamOutcome = { firstChunkAt: this.firstChunkAt }
    if (failure !== undefined) {
      outcome.failure = failure
      // A failed provider stream is ended so that its request does not linger.
      this.iterator?.return?.().catch(() => {})
    }
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
    return this.next()
  }

  /** On an early stop: end the provider's stream first (it aborts its request), then the loop runs its `finally`. */
  private async closeProvider(): Promise<void> {
    const iterator = this.iterator
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
