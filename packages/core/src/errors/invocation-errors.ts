import { AgentError } from './agent-error.js'
import { hasErrorKind, markErrorKind } from './error-marker.js'

/** The model stopped at its output limit in a place where the answer cannot be used (e.g. a half tool call). */
export class MaxTokensReachedError extends AgentError {
  override name = 'MaxTokensReachedError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'MaxTokensReachedError')
  }

  static override isInstance(value: unknown): value is MaxTokensReachedError {
    return hasErrorKind(value, 'MaxTokensReachedError')
  }
}

/** A tool's input did not match its schema (for direct calls that ask to throw). */
export class ToolInputError extends AgentError {
  override name = 'ToolInputError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'ToolInputError')
  }

  static override isInstance(value: unknown): value is ToolInputError {
    return hasErrorKind(value, 'ToolInputError')
  }
}

/** The model did not produce output matching the requested schema, even after a corrective retry. */
export class StructuredOutputError extends AgentError {
  override name = 'StructuredOutputError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'StructuredOutputError')
  }

  static override isInstance(value: unknown): value is StructuredOutputError {
    return hasErrorKind(value, 'StructuredOutputError')
  }
}

/** A second invocation started on an agent that is still running one. */
export class ConcurrencyError extends AgentError {
  override name = 'ConcurrencyError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'ConcurrencyError')
  }

  static override isInstance(value: unknown): value is ConcurrencyError {
    return hasErrorKind(value, 'ConcurrencyError')
  }
}

/** The run was aborted through an `AbortSignal`. Also matches the platform's `AbortError` by name. */
export class AbortError extends AgentError {
  override name = 'AbortError'

  constructor(message = 'The operation was aborted.', options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'AbortError')
  }

  static override isInstance(value: unknown): value is AbortError {
    return (
      hasErrorKind(value, 'AbortError') ||
      (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'AbortError')
    )
  }
}
