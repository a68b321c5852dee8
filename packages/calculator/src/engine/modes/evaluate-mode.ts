import { checkOutputLength, checkResultValue, formatValue, lastValue, toJsonValue } from '../format-result.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'

/** Above this many significant digits, plain doubles cannot deliver: evaluate with 64-digit big numbers. */
const doublePrecisionDigits = 15

/** Numbers, big numbers, fractions, complex numbers, units and matrices. */
export function evaluateMode(context: ModeContext): ModeResult {
  const useBigNumbers = (context.precision ?? 0) > doublePrecisionDigits
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
