import type { MathJsInstance } from 'mathjs'
import { CalculationError } from './locked-math.ts'
import type { EngineJsonValue } from './protocol.ts'

/** Significant digits shown for plain numbers when the caller gives no precision (hides 0.1+0.2 noise). */
export const defaultNumberPrecision = 14

/** Plain decimal notation between 1e-7 and 1e21, like JavaScript; exponents outside. */
const notation = { lowerExp: -7, upperExp: 21 }

interface ValueLike {
  isBigNumber?: boolean
  isComplex?: boolean
  isFraction?: boolean
  isUnit?: boolean
  isMatrix?: boolean
  isResultSet?: boolean
}

/** The last value of a block (`a = 2; a + 1`), or the value itself. */
export function lastValue(value: unknown): unknown {
  const candidate = value as ValueLike & { entries?: unknown[] }
  if (candidate?.isResultSet) {
    if (!candidate.entries || candidate.entries.length === 0) {
      throw new CalculationError('The expression has no visible result: remove the final semicolon.')
    }
    return candidate.entries.at(-1)
  }
  return value
}

/** Throws unless the value is a finite number, complex, fraction, unit, boolean or matrix of those. */
export function checkResultValue(math: MathJsInstance, value: unknown): void {
  const describe = (number: number) =>
    Number.isNaN(number)
      ? 'The result is not a number (NaN): the expression is undefined for these inputs (for example 0/0 or sqrt of a matrix that has none).'
      : 'The result is infinite: the expression divides by zero or overflows. Rewrite it or use bignumber(…) for very large values.'
  const visit = (entry: unknown): void => {
    if (typeof entry === 'number') {
      if (!Number.isFinite(entry)) throw new CalculationError(describe(entry))
      return
    }
    if (typeof entry === 'boolean') return
    if (math.isBigNumber(entry)) {
      if (!entry.isFinite()) throw new CalculationError(describe(entry.toNumber()))
      return
    }
    if (math.isFraction(entry)) return
    if (math.isComplex(entry)) {
      visit(entry.re)
      visit(entry.im)
      return
    }
    if (math.isUnit(entry)) {
      const unitValue = (entry as unknown as { value: unknown }).value
      if (unitValue !== null) visit(unitValue)
      return
    }
    if (math.isMatrix(entry)) {
      ;(entry as unknown as { forEach(callback: (item: unknown) => void): void }).forEach(visit)
      return
    }
    if (Array.isArray(entry)) {
      entry.forEach(visit)
      return
    }
    if (entry === undefined || entry === null) {
      throw new CalculationError('The expression has no value.')
    }
    throw new CalculationError('The result is not a number, unit, boolean or matrix.')
  }
  visit(value)
}

/** The text a model reads: mathjs's notation at the requested number of significant digits. */
export function formatValue(math: MathJsInstance, value: unknown, precision: number | undefined): string {
  const big = containsBigNumber(math, value)
  const digits = precision ?? (big ? undefined : defaultNumberPrecision)
  // Big numbers are asked for to see every digit: plain notation up to their 64 digits.
  const options = big ? { ...notation, upperExp: 64 } : notation
  return math.format(value, digits === undefined ? options : { ...options, precision: digits })
}

function containsBigNumber(math: MathJsInstance, value: unknown): boolean {
  if (math.isBigNumber(value)) return true
  if (math.isMatrix(value)) {
    let found = false
    ;(value as unknown as { forEach(callback: (item: unknown) => void): void }).forEach((item) => {
      found ||= math.isBigNumber(item)
    })
    return found
  }
  return false
}

/** The value as plain JSON, rounded to the precision where it is a plain number. */
export function toJsonValue(
  math: MathJsInstance,
  value: unknown,
  precision: number | undefined,
): EngineJsonValue {
  const round = (number: number) => (precision === undefined ? number : Number(number.toPrecision(precision)))
  if (typeof value === 'number') return round(value)
  if (typeof value === 'boolean') return value
  if (math.isBigNumber(value)) {
    return { type: 'BigNumber', value: formatValue(math, value, precision) }
  }
  if (math.isFraction(value)) {
    const fraction = value as unknown as { s: bigint; n: bigint; d: bigint }
    return {
      type: 'Fraction',
      numerator: (fraction.s * fraction.n).toString(),
      denominator: fraction.d.toString(),
      value: math.number(value as never) as number,
    }
  }
  if (math.isComplex(value)) {
    return { type: 'Complex', re: round(value.re), im: round(value.im) }
  }
  if (math.isUnit(value)) {
    const units = value.formatUnits()
    const magnitude = units === '' ? value.toNumber() : value.toNumber(units)
    return { type: 'Unit', value: round(magnitude), unit: units, text: formatValue(math, value, precision) }
  }
  if (math.isMatrix(value))
    return (value.toArray() as unknown[]).map((entry) => toJsonValue(math, entry, precision))
  if (Array.isArray(value)) return value.map((entry) => toJsonValue(math, entry, precision))
  return String(value)
}

/** Throws when the text would be longer than the limit, so a model is never flooded. */
export function checkOutputLength(text: string, maxOutputLength: number): string {
  if (text.length > maxOutputLength) {
    throw new CalculationError(
      `The result is ${text.length} characters long; the limit is ${maxOutputLength}. Ask for a smaller part of it.`,
    )
  }
  return text
}
