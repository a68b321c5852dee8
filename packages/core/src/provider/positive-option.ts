/**
 * An option that must be a positive number (or integer): `fallback` when unset, a `RangeError` naming
 * the option otherwise. One check for every package's options, so that they fail alike.
 */
export function positiveOption(
  value: number | undefined,
  fallback: number,
  name: string,
  kind: 'number' | 'integer' = 'number',
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0) || (kind === 'integer' && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${kind}, got ${String(value)}.`)
  }
  return value
}
