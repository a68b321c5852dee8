import { AgentError } from './agent-error.js'
import { hasErrorKind, markErrorKind } from './error-marker.js'

/** A session could not be read or written. The session file is left as it was. */
export class SessionError extends AgentError {
  override name = 'SessionError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'SessionError')
  }

  static override isInstance(value: unknown): value is SessionError {
    return hasErrorKind(value, 'SessionError')
  }
}

/** Another writer changed the session since this one last read or wrote it. */
export class SessionConflictError extends SessionError {
  override name = 'SessionConflictError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'SessionConflictError')
  }

  static override isInstance(value: unknown): value is SessionConflictError {
    return hasErrorKind(value, 'SessionConflictError')
  }
}
