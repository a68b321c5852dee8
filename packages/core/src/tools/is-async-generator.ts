/**
 * True for what an `async function*` returns (a streaming tool's or node's output). Never throws: a value
 * that is a Proxy whose traps throw is not a generator, and awaiting it then fails where it is awaited.
 */
export function isAsyncGenerator<Yield = unknown, Return = unknown>(
  value: unknown,
): value is AsyncGenerator<Yield, Return, undefined> {
  if (typeof value !== 'object' || value === null) return false
  try {
    return (
      typeof (value as AsyncGenerator).next === 'function' &&
      typeof (value as AsyncGenerator)[Symbol.asyncIterator] === 'function'
    )
  } catch {
    return false
  }
}
