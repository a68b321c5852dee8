import { AgentError } from './agent-error.js'
import { hasErrorKind, markErrorKind } from './error-marker.js'

export interface ModelErrorOptions {
  cause?: unknown
  /** HTTP status from the provider, when there was one. */
  status?: number
  /** Whether trying the same request again may succeed. */
  retryable?: boolean
}

/** The model provider failed. The message is the provider's, without secrets. */
export class ModelError extends AgentError {
  override name = 'ModelError'
  readonly status: number | undefined
  readonly retryable: boolean

  constructor(message: string, options: ModelErrorOptions = {}) {
    super(message, { cause: options.cause })
    markErrorKind(this, 'ModelError')
    this.status = options.status
    this.retryable = options.retryable ?? false
  }

  static override isInstance(value: unknown): value is ModelError {
    return hasErrorKind(value, 'ModelError')
  }
}

/** The provider is rate limiting; the agent loop retries after `retryAfterMs` when the provider said. */
export class ModelThrottledError extends ModelError {
  override name = 'ModelThrottledError'
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: ModelErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, { ...options, retryable: true })
    markErrorKind(this, 'ModelThrottledError')
    this.retryAfterMs = options.retryAfterMs
  }

  static override isInstance(value: unknown): value is ModelThrottledError {
    return hasErrorKind(value, 'ModelThrottledError')
  }
}

/** The request did not fit the model's context window; the loop reduces the conversation and retries. */
export class ContextWindowOverflowError extends ModelError {
  override name = 'ContextWindowOverflowError'

  constructor(message: string, options: ModelErrorOptions = {}) {
    super(message, { ...options, retryable: false })
    markErrorKind(this, 'ContextWindowOverflowError')
  }

  static override isInstance(value: unknown): value is ContextWindowOverflowError {
    return hasErrorKind(value, 'ContextWindowOverflowError')
  }
}
