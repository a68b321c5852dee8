import { AgentError, errorGuard } from './agent-error.js'

export interface ModelErrorOptions {
  cause?: unknown
  /** HTTP status from the provider, when there was one. */
  status?: number
  /** Whether trying the same request again may succeed. */
  retryable?: boolean
}

/** The model provider failed. The message is the provider's, without secrets. */
export class ModelError extends AgentError {
  static override readonly kind: string = 'ModelError'
  static override readonly isInstance = errorGuard<ModelError>('ModelError')
  readonly status: number | undefined
  readonly retryable: boolean

  constructor(message: string, options: ModelErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.status = options.status
    this.retryable = options.retryable ?? false
  }
}

/** The provider is rate limiting; the agent loop retries after `retryAfterMs` when the provider said. */
export class ModelThrottledError extends ModelError {
  static override readonly kind = 'ModelThrottledError'
  static override readonly isInstance = errorGuard<ModelThrottledError>('ModelThrottledError')
  readonly retryAfterMs: number | undefined

  constructor(message: string, options: ModelErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, { ...options, retryable: true })
    this.retryAfterMs = options.retryAfterMs
  }
}

/** The request did not fit the model's context window; the loop reduces the conversation and retries. */
export class ContextWindowOverflowError extends ModelError {
  static override readonly kind = 'ContextWindowOverflowError'
  static override readonly isInstance = errorGuard<ContextWindowOverflowError>('ContextWindowOverflowError')

  constructor(message: string, options: ModelErrorOptions = {}) {
    super(message, { ...options, retryable: false })
  }
}
