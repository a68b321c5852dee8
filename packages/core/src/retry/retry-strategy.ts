import { AbortError } from '../errors/invocation-errors.js'
import { ModelThrottledError } from '../errors/model-error.js'

/** Decides whether and when a failed model call is tried again. */
export interface RetryStrategy {
  /** Milliseconds to wait before attempt `attempt + 1`, or `undefined` to give up and throw `error`. */
  delayMs(error: unknown, attempt: number): number | undefined
  /** Waits `ms`, rejecting with an `AbortError` as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export interface BackoffRetryStrategyOptions {
  /** Model calls in total, the first included. Default 6. */
  maxAttempts?: number
  /** Delay bound before the first retry. Default 1000 ms; it doubles with each retry. */
  initialDelayMs?: number
  /** Upper bound of any delay, the provider's `retryAfterMs` included. Default 60 000 ms. */
  maxDelayMs?: number
  /** `full` (default): a random delay between 0 and the bound (AWS "full jitter"); `none`: the bound. */
  jitter?: 'full' | 'none'
  /** Source of randomness in [0, 1). Default `Math.random`; inject one for deterministic tests. */
  random?: () => number
  /** How to wait. Default: a timer cut short by the signal. Inject one to test without waiting. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

/**
 * Retries `ModelThrottledError` with exponential backoff and full jitter, waiting at least what the
 * provider asked for (`retryAfterMs`), never more than `maxDelayMs`. Other errors are not retried.
 */
export class BackoffRetryStrategy implements RetryStrategy {
  readonly maxAttempts: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  private readonly jitter: 'full' | 'none'
  private readonly random: () => number
  private readonly sleeper: (ms: number, signal: AbortSignal) => Promise<void>

  constructor(options: BackoffRetryStrategyOptions = {}) {
    this.maxAttempts = atLeast(options.maxAttempts ?? 6, 1, 'maxAttempts')
    this.initialDelayMs = atLeast(options.initialDelayMs ?? 1000, 0, 'initialDelayMs')
    this.maxDelayMs = atLeast(options.maxDelayMs ?? 60_000, 0, 'maxDelayMs')
    this.jitter = options.jitter ?? 'full'
    this.random = options.random ?? Math.random
    this.sleeper = options.sleep ?? abortableSleep
  }

  delayMs(error: unknown, attempt: number): number | undefined {
    if (!ModelThrottledError.isInstance(error) || attempt >= this.maxAttempts) return undefined
    const bound = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (attempt - 1))
    const jittered = this.jitter === 'full' ? this.random() * bound : bound
    return Math.min(this.maxDelayMs, Math.max(jittered, error.retryAfterMs ?? 0))
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.sleeper(ms, signal)
  }
}

/** Resolves after `ms`, or rejects with an `AbortError` when `signal` aborts first. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () =>
      new AbortError('The run was aborted while waiting to retry the model call.', { cause: signal.reason })
    if (signal.aborted) return reject(aborted())
    const onAbort = () => {
      clearTimeout(timer)
      reject(aborted())
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function atLeast(value: number, minimum: number, name: string): number {
  if (!(value >= minimum) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number of at least ${minimum}, got ${value}.`)
  }
  return value
}
