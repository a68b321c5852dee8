import { checkOutputLength, checkResultValue, formatValue, lastValue, toJsonValue } from '../format-result.ts'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'

/** Above this many significant digits, plain doubles cannot deliver: evaluate with 64-digit big numbers. */
const doublePrecisionDigits = 15

/** Numbers, big numbers, fractions, complex numbers, units and matrices. */
export function evaluateMode(context: ModeContext): ModeResult {
  if ((context.precision ?? 0) > doublePrecisionDigits) {
    try {
      return evaluateWith(context, true)
    } catch (error) {
      // Some functions (fraction(1, 3), gamma) have no big-number version: answer in double precision.
      if (error instanceof CalculationError) throw error
      const result = evaluateWith(context, false)
      return {
        ...result,
        text: `${result.text}\n(computed in double precision: this expression has no 64-digit version)`,
      }
    }
  }
  return evaluateWith(context, false)
}

function evaluateWith(context: ModeContext, useBigNumbers: boolean): ModeResult {
  const locked = useBigNumbers ? context.bigNumbers : context.numbers
  const { node } = context.parse(
    context.input.expression,
    { allowFreeSymbols: false, allowAssignment: true },
    locked,
  )
  const scope = context.scope()
  if (useBigNumbers)
    for (const [name, value] of scope) scope.set(name, locked.math.bignumber(value as number))
  const value = normalizeValue(lastValue(node.compile().evaluate(scope)))
  checkResultValue(locked.math, value)
  const answer = checkOutputLength(
    formatValue(locked.math, value, context.precision),
    context.limits.maxOutputLength,
  )
  const lines = [answer]
  if (useBigNumbers)
    lines.push(`(computed with 64-digit big numbers, shown to ${context.precision} significant digits)`)
  return {
    text: lines.join('\n'),
    json: { mode: 'evaluate', result: toJsonValue(locked.math, value, context.precision), text: answer },
  }
}

/** `eigs` returns an object; the eigenvalues are the value a caller asked for. */
export function normalizeValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'values' in value && 'eigenvectors' in value) {
    return (value as { values: unknown }).values
  }
  return value
}
