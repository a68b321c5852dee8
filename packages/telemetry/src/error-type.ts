import { describeThrownValue } from '@agent/core/provider'

/** `error.type` for a failure: the error's class name (`ModelThrottledError`, `AbortError`, …), else `_OTHER`. */
export function errorType(error: unknown): string {
  try {
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)) {
      const name = (error as { name: unknown }).name
      if (typeof name === 'string' && name.length > 0 && name.length <= 128) return name
    }
  } catch {
    // A hostile getter: fall through.
  }
  return '_OTHER'
}

/** A short description of a failure for the span status; never throws (core's describer, cut shorter). */
export function errorMessage(error: unknown): string {
  const message = describeThrownValue(error)
  return message.length > 500 ? `${message.slice(0, 500)}…` : message
}
