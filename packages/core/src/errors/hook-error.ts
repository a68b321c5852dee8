import { AgentError, errorGuard } from './agent-error.js'

/** A hook callback threw; the invocation ended. `cause` is what the hook threw. */
export class HookError extends AgentError {
  static override readonly kind = 'HookError'
  static override readonly isInstance = errorGuard<HookError>('HookError')
}
