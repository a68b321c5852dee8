/** Longest description kept: a thrown value's text goes into a tool result or a `force_stop` event. */
const maxDescriptionLength = 2000

/**
 * Text for whatever was thrown, for a tool result or a `force_stop` reason. Never throws: code that
 * reports a failure must not fail itself, and a thrown value can be anything (an object without a
 * prototype, a throwing `toString`, a Proxy whose every trap throws, an `Error` whose `message` getter throws).
 * `withName`: an `Error` is described as `Name: message`.
 */
export function describeThrownValue(value: unknown, withName = false): string {
  const text = describe(value, withName)
  return text.length > maxDescriptionLength ? `${text.slice(0, maxDescriptionLength)}… (cut)` : text
}

function describe(value: unknown, withName: boolean): string {
  if (typeof value === 'string') return value
  if (typeof value !== 'object' && typeof value !== 'function') return String(value)
  if (value === null) return 'null'
  const asError = errorText(value, withName)
  if (asError !== undefined) return asError
  try {
    const text = String(value)
    if (typeof text === 'string') return text
  } catch {
    // Falls through to the tag, which needs no method of the value.
  }
  try {
    return `a thrown ${Object.prototype.toString.call(value)} that cannot be described`
  } catch {
    return 'a thrown value that cannot be described'
  }
}

function errorText(value: object, withName: boolean): string | undefined {
  let message: unknown
  let name: unknown
  try {
    if (!(value instanceof Error)) return undefined
    message = value.message
    name = withName ? value.name : undefined
  } catch {
    return withName ? 'Error: (its message could not be read)' : '(the error message could not be read)'
  }
  const text = typeof message === 'string' ? message : '(no message)'
  return typeof name === 'string' ? `${name}: ${text}` : text
}
