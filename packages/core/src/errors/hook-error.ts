import { AgentError } from './agent-error.js'
import { hasErrorKind, markErrorKind } from './error-marker.js'

/** A hook callback threw; the invocation ended. `cause` is what the hook threw. */
export class HookError extends AgentError {
  override name = 'HookError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    markErrorKind(this, 'HookError')
  }

  static override isInstance(value: unknown): value is HookError {
    return hasErrorKind(value, 'HookError')
  }
}
