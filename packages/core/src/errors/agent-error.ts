import { hasErrorKind, markErrorKind } from './error-marker.js'

/** Base of every error this SDK throws. */
export class AgentError extends Error {
  override name = 'AgentError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'AgentError')
  }

  static isInstance(value: unknown): value is AgentError {
    return hasErrorKind(value, 'AgentError')
  }
}
