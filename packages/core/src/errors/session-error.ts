import { AgentError, errorGuard } from './agent-error.js'

/** A session could not be read or written. The session file is left as it was. */
export class SessionError extends AgentError {
  static override readonly kind: string = 'SessionError'
  static override readonly isInstance = errorGuard<SessionError>('SessionError')
}

/** Another writer changed the session since this one last read or wrote it. */
export class SessionConflictError extends SessionError {
  static override readonly kind = 'SessionConflictError'
  static override readonly isInstance = errorGuard<SessionConflictError>('SessionConflictError')
}
