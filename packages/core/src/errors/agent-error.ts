import { hasErrorKind, markErrorKind } from './error-marker.js'

/** A type guard for one error kind that works across duplicate copies of the package (and unbound). */
export function errorGuard<Type>(kind: string): (value: unknown) => value is Type {
  return (value): value is Type => hasErrorKind(value, kind)
}

/**
 * Base of every error this SDK throws. A subclass declares its `kind` (its stable name) and its
 * `isInstance` guard; the constructor sets `name` and marks the instance with the kinds of its whole
 * class chain, which is what `isInstance` checks (`instanceof` fails across package copies).
 */
export class AgentError extends Error {
  static readonly kind: string = 'AgentError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = (new.target as unknown as { kind: string }).kind
    let type: unknown = new.target
    while (typeof type === 'function' && type !== Error) {
      markErrorKind(this, (type as unknown as { kind: string }).kind)
      type = Object.getPrototypeOf(type)
    }
  }

  /** True for an instance of this class (or a subclass) from any copy of @agent/core. */
  static readonly isInstance: (value: unknown) => value is AgentError = errorGuard<AgentError>('AgentError')
}
