import { AgentError, errorGuard } from './agent-error.js'

const isAgentAbortError = errorGuard<AgentError>('AbortError')

/** The model stopped at its output limit in a place where the answer cannot be used (e.g. a half tool call). */
export class MaxTokensReachedError extends AgentError {
  static override readonly kind = 'MaxTokensReachedError'
  static override readonly isInstance = errorGuard<MaxTokensReachedError>('MaxTokensReachedError')
}

/** A tool's input did not match its schema (for direct calls that ask to throw). */
export class ToolInputError extends AgentError {
  static override readonly kind = 'ToolInputError'
  static override readonly isInstance = errorGuard<ToolInputError>('ToolInputError')
}

/** The model did not produce output matching the requested schema, even after a corrective retry. */
export class StructuredOutputError extends AgentError {
  static override readonly kind = 'StructuredOutputError'
  static override readonly isInstance = errorGuard<StructuredOutputError>('StructuredOutputError')
}

/** A second invocation started on an agent that is still running one. */
export class ConcurrencyError extends AgentError {
  static override readonly kind = 'ConcurrencyError'
  static override readonly isInstance = errorGuard<ConcurrencyError>('ConcurrencyError')
}

/** The run was aborted through an `AbortSignal`. Also matches the platform's `AbortError` by name. */
export class AbortError extends AgentError {
  static override readonly kind = 'AbortError'
  static override readonly isInstance = (value: unknown): value is AbortError =>
    isAgentAbortError(value) || hasAbortName(value)

  constructor(message = 'The operation was aborted.', options?: { cause?: unknown }) {
    super(message, options)
  }
}

function hasAbortName(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  try {
    return (value as { name?: unknown }).name === 'AbortError'
  } catch {
    // A thrown value whose `name` getter throws is no abort.
    return false
  }
}
