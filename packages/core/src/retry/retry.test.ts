import { describe, expect, it } from 'vitest'
import { Agent } from '../agent/agent.js'
import { AbortError } from '../errors/invocation-errors.js'
import { ModelError, ModelThrottledError } from '../errors/model-error.js'
import { collectStream, conversationProblems, eventTypes, ScriptedModel } from '../testing/index.js'
import { abortableSleep, BackoffRetryStrategy } from './retry-strategy.js'

const throttled = (retryAfterMs?: number) => ({
  error: new ModelThrottledError('Rate exceeded', { status: 429, retryAfterMs }),
})

/** A strategy whose sleeps are recorded and resolve at once, so tests never wait. */
function recordingStrategy(options: ConstructorParameters<typeof BackoffRetryStrategy>[0] = {}) {
  const sleeps: number[] = []
  const strategy = new BackoffRetryStrategy({
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    ...options,
  })
  return { strategy, sleeps }
}

describe('BackoffRetryStrategy', () => {
  it('defaults: 6 attempts, exponential bound from 1 s capped at 60 s, full jitter', () => {
    const strategy = new BackoffRetryStrategy({ random: () => 0.999999 })
    const error = new ModelThrottledError('slow down')
    const delays = [1, 2, 3, 4, 5].map((attempt) => Math.round(strategy.delayMs(error, attempt)!))
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000])
    expect(strategy.delayMs(error, 6)).toBeUndefined()
    const long = new BackoffRetryStrategy({ maxAttempts: 20, random: () => 0.999999 })
    expect(long.delayMs(error, 10)).toBeLessThanOrEqual(60_000)
    expect(long.delayMs(error, 10)).toBeGreaterThan(59_000)
  })

  it('full jitter picks a delay between 0 and the bound', () => {
    const error = new ModelThrottledError('slow down')
    expect(new BackoffRetryStrategy({ random: () => 0 }).delayMs(error, 3)).toBe(0)
    expect(new BackoffRetryStrategy({ random: () => 0.25 }).delayMs(error, 3)).toBe(1000)
    expect(new BackoffRetryStrategy({ jitter: 'none', random: () => 0 }).delayMs(error, 3)).toBe(4000)
  })

  it("waits at least the provider's retryAfterMs, but never more than maxDelayMs", () => {
    const strategy = new BackoffRetryStrategy({ random: () => 0 })
    expect(strategy.delayMs(new ModelThrottledError('x', { retryAfterMs: 7000 }), 1)).toBe(7000)
    expect(strategy.delayMs(new ModelThrottledError('x', { retryAfterMs: 600_000 }), 1)).toBe(60_000)
  })

  it('does not retry other errors', () => {
    const strategy = new BackoffRetryStrategy()
    expect(strategy.delayMs(new ModelError('bad request', { status: 400 }), 1)).toBeUndefined()
    expect(strategy.delayMs(new Error('boom'), 1)).toBeUndefined()
  })

  it('rejects nonsense options', () => {
    expect(() => new BackoffRetryStrategy({ maxAttempts: 0 })).toThrow(RangeError)
    expect(() => new BackoffRetryStrategy({ initialDelayMs: -1 })).toThrow(RangeError)
    expect(() => new BackoffRetryStrategy({ maxDelayMs: Number.NaN })).toThrow(RangeError)
  })
})

describe('retries in the agent loop', () => {
  it('retries a throttled call, streaming a throttled event (seconds) before each sleep', async () => {
    const { strategy, sleeps } = recordingStrategy()
    const model = new ScriptedModel([throttled(), throttled(3000), { content: [{ text: 'finally' }] }])
    const agent = new Agent({ model, retryStrategy: strategy, callbackHandler: null })
    const { events, result } = await collectStream(agent.stream('Hi'))
    expect(String(result)).toBe('finally')
    expect(sleeps).toEqual([500, 3000])
    const delays = events.flatMap((event) => (event.type === 'throttled' ? [event] : []))
    expect(delays).toEqual([
      { type: 'throttled', event_loop_throttled_delay: 0.5 },
      { type: 'throttled', event_loop_throttled_delay: 3 },
    ])
    expect(eventTypes(events).slice(0, 5)).toEqual([
      'init_event_loop',
      'start_event_loop',
      'throttled',
      'throttled',
      'model_stream:messageStart',
    ])
    expect(result?.metrics).toMatchObject({ modelCallCount: 3, throttleCount: 2, cycleCount: 1 })
    expect(JSON.parse(JSON.stringify(events))).toEqual(events)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('throttling that outlasts every attempt ends with the ModelThrottledError, conversation valid', async () => {
    const { strategy, sleeps } = recordingStrategy()
    const model = new ScriptedModel(Array.from({ length: 6 }, () => throttled()))
    const agent = new Agent({ model, retryStrategy: strategy, callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('Hi'))
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    expect(model.requests).toHaveLength(6)
    expect(model.remaining).toBe(0)
    expect(sleeps).toHaveLength(5)
    expect(eventTypes(events).filter((type) => type === 'throttled')).toHaveLength(5)
    expect(events.at(-1)).toMatchObject({ type: 'force_stop' })
    expect(agent.messages).toEqual([])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('an abort during a backoff sleep ends the run at once with an AbortError', async () => {
    // The real timer sleep with a one-minute delay: the abort must cut it short or the test times out.
    const strategy = new BackoffRetryStrategy({ initialDelayMs: 60_000, jitter: 'none' })
    const controller = new AbortController()
    const seen: string[] = []
    const agent = new Agent({
      model: new ScriptedModel([throttled(), { content: [{ text: 'never' }] }]),
      retryStrategy: strategy,
      callbackHandler: (event) => {
        seen.push(event.type)
        if (event.type === 'throttled') controller.abort()
      },
    })
    const { error, events } = await collectStream(agent.stream('Hi', { signal: controller.signal }))
    expect(AbortError.isInstance(error)).toBe(true)
    expect(seen).toContain('throttled')
    expect(events.at(-1)).toMatchObject({ type: 'force_stop' })
    expect(agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('agent.cancel() during a backoff sleep ends the run with stop reason cancelled', async () => {
    const strategy = new BackoffRetryStrategy({ initialDelayMs: 60_000, jitter: 'none' })
    const agent: Agent = new Agent({
      model: new ScriptedModel([throttled(), { content: [{ text: 'never' }] }]),
      retryStrategy: strategy,
      callbackHandler: (event) => {
        if (event.type === 'throttled') agent.cancel()
      },
    })
    const result = await agent.invoke('Hi')
    expect(result.stopReason).toBe('cancelled')
    expect(result.metrics.throttleCount).toBe(1)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('can be disabled per agent', async () => {
    const model = new ScriptedModel([throttled(), { content: [{ text: 'unused' }] }])
    const agent = new Agent({ model, retryStrategy: null, callbackHandler: null })
    await expect(agent.invoke('Hi')).rejects.toSatisfy(ModelThrottledError.isInstance)
    expect(model.requests).toHaveLength(1)
  })

  it('does not retry errors other than throttling', async () => {
    const { strategy, sleeps } = recordingStrategy()
    const model = new ScriptedModel([{ error: new ModelError('Invalid model id', { status: 400 }) }])
    const agent = new Agent({ model, retryStrategy: strategy, callbackHandler: null })
    await expect(agent.invoke('Hi')).rejects.toThrow('Invalid model id')
    expect(sleeps).toEqual([])
  })

  it('abortableSleep resolves after its delay and rejects at once on abort', async () => {
    await expect(abortableSleep(1, new AbortController().signal)).resolves.toBeUndefined()
    const aborted = AbortSignal.abort()
    await expect(abortableSleep(60_000, aborted)).rejects.toSatisfy(AbortError.isInstance)
  })
})
