import {
  AbortError,
  AgentError,
  ConcurrencyError,
  HookError,
  InterruptError,
  MaxTokensReachedError,
  ModelError,
  ModelThrottledError,
  SessionConflictError,
  SessionError,
  StructuredOutputError,
  ToolInputError,
} from '@agent/core'
import { redactCredentials } from '@agent/core/provider'

/** What a client is told about an error: no stack, no cause, no provider secrets. */
export interface PublicError {
  name: string
  message: string
  /** The provider's HTTP status, for model errors. */
  status?: number
  retryable?: boolean
  retryAfterMs?: number
  /** Matches the server log line that has the full error. */
  errorId?: string
}

/** Why the server aborted a run, when it did. */
export type AbortCause = 'disconnect' | 'shutdown' | 'cancel'

/**
 * SDK errors whose message wraps text the SDK did not write: what a hook threw (a connection string, a
 * path), what the file system said (absolute paths), what a corrupt session file held. Clients get the
 * SDK's own sentence; the wrapped text stays in the server log under the error id.
 */
const wrappingForeignText: [guard: (error: unknown) => boolean, message: string][] = [
  [HookError.isInstance, 'A hook failed while running the agent; the server log has the details.'],
  [
    (error) => SessionError.isInstance(error) && !SessionConflictError.isInstance(error),
    'The session could not be read or saved; the server log has the details.',
  ],
]

/** Error kinds whose messages the SDK writes from its own words and the run's values. */
const ownMessages = [
  ConcurrencyError.isInstance,
  SessionConflictError.isInstance,
  MaxTokensReachedError.isInstance,
  StructuredOutputError.isInstance,
  ToolInputError.isInstance,
  InterruptError.isInstance,
]

/**
 * The safe, client-facing description of an error. Model errors keep the provider's message (with anything
 * that looks like a credential removed); SDK errors whose message the SDK wrote keep it; SDK errors that
 * wrap foreign text, a provider's refusal of our credentials and any other error get a generic message
 * that points at the server log.
 */
export function toPublicError(error: unknown, errorId: string | undefined, cause?: AbortCause): PublicError {
  if (cause === 'shutdown') {
    return {
      name: 'ServiceUnavailable',
      message: 'The server is shutting down; retry the request.',
      retryable: true,
    }
  }
  if (AbortError.isInstance(error)) {
    return {
      name: 'AbortError',
      message:
        cause === 'disconnect'
          ? 'The client disconnected, so the run was aborted.'
          : cause === 'cancel'
            ? 'The run was stopped on request.'
            : 'The run was aborted.',
    }
  }
  const withId = (message: string) => (errorId === undefined ? message : `${message} (error id ${errorId})`)
  if (ModelError.isInstance(error)) {
    const described: PublicError = { name: error.name, message: '', retryable: error.retryable }
    if (error.status !== undefined) described.status = error.status
    if (ModelThrottledError.isInstance(error) && error.retryAfterMs !== undefined) {
      described.retryAfterMs = error.retryAfterMs
    }
    described.message =
      error.status === 401 || error.status === 403
        ? withId(
            `The model provider refused the server's credentials (HTTP ${error.status}); the server log has the details.`,
          )
        : redactSecrets(error.message)
    if (errorId !== undefined) described.errorId = errorId
    return described
  }
  if (AgentError.isInstance(error)) {
    let message: string | undefined
    for (const [guard, generic] of wrappingForeignText) if (guard(error)) message = withId(generic)
    if (message === undefined && ownMessages.some((guard) => guard(error)))
      message = redactSecrets(error.message)
    const described: PublicError = {
      name: error.name,
      message: message ?? withId('The agent failed; the server log has the details.'),
    }
    if (errorId !== undefined) described.errorId = errorId
    return described
  }
  const described: PublicError = {
    name: 'InternalError',
    message: withId('The agent failed with an unexpected error; the server log has the details.'),
  }
  if (errorId !== undefined) described.errorId = errorId
  return described
}

/** The HTTP status for an error that ended a run before anything was streamed (or an `/invoke`). */
export function statusOf(error: unknown, cause?: AbortCause): number {
  if (cause === 'shutdown') return 503
  if (ConcurrencyError.isInstance(error) || SessionConflictError.isInstance(error)) return 409
  // A resume that names no pending interrupt: the client's mistake.
  if (InterruptError.isInstance(error)) return 400
  if (ModelThrottledError.isInstance(error)) return 429
  if (ModelError.isInstance(error)) return 502
  if (AbortError.isInstance(error)) return 499
  return 500
}

/** Errors worth a log line: everything but aborts the server or the client caused. */
export function shouldLog(error: unknown, cause?: AbortCause): boolean {
  return (
    cause === undefined &&
    !AbortError.isInstance(error) &&
    !ConcurrencyError.isInstance(error) &&
    !SessionConflictError.isInstance(error) &&
    !InterruptError.isInstance(error)
  )
}

/** Removes what looks like a credential from a message, and keeps it short. */
export function redactSecrets(message: string): string {
  const safe = redactCredentials(message)
  return safe.length > 1000 ? `${safe.slice(0, 1000)}…` : safe
}
