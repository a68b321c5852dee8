/** A limit option: the fallback when absent, a RangeError when not a positive number. */
export function positiveOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}.`)
  return value
}
