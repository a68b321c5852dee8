import type { MathNode } from 'mathjs'
import { checkOutputLength } from '../format-result.ts'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'
import { nthDerivative } from './derive-mode.ts'

/** Taylor polynomial to `order` (default 5) around `point` (default 0), from exact derivatives. */
export function seriesMode(context: ModeContext): ModeResult {
  const { node, freeSymbols } = context.parse(context.input.expression, {
    allowFreeSymbols: true,
    allowAssignment: false,
  })
  const variable = context.chooseVariable(freeSymbols)
  const others = [...freeSymbols].filter((name) => name !== variable)
  if (others.length > 0) {
    throw new CalculationError(
      `Give values for ${others.join(', ')} in "variables" to expand in ${variable}.`,
    )
  }
  const order = context.input.order ?? 5
  if (order > context.limits.maxOrder)
    throw new CalculationError(`"order" may be at most ${context.limits.maxOrder}.`)
  const point = context.singlePoint(0, 'the point to expand around')
  if (!Number.isFinite(point)) throw new CalculationError('Series are expanded around a finite point.')

  const coefficients: number[] = []
  const derivativeValues: number[] = []
  let derivative: MathNode = context.substituteVariables(node)
  let factorial = 1
  for (let power = 0; power <= order; power++) {
    if (power > 0) {
      derivative = nthDerivative(context, derivative, variable, 1)
      factorial *= power
    }
    const value = context.realFunction(derivative, variable)(point)
    if (!Number.isFinite(value)) {
      throw new CalculationError(
        `The ${power === 0 ? 'function' : `derivative of order ${power}`} is not finite at ${variable} = ${point}; expand around another point.`,
      )
    }
    derivativeValues.push(value)
    coefficients.push(value / factorial)
  }
  const base =
    point === 0 ? variable : `(${variable} ${point < 0 ? '+' : '-'} ${context.formatNumber(Math.abs(point))})`
  const terms: string[] = []
  coefficients.forEach((coefficient, power) => {
    if (Math.abs(coefficient) < 1e-14) return
    const magnitude = coefficientText(context, Math.abs(derivativeValues[power]!), power)
    const factor = power === 0 ? '' : power === 1 ? base : `${base}^${power}`
    const term = power === 0 ? magnitude : magnitude === '1' ? factor : `${magnitude} * ${factor}`
    terms.push(
      terms.length === 0 ? (coefficient < 0 ? `-${term}` : term) : `${coefficient < 0 ? '-' : '+'} ${term}`,
    )
  })
  const polynomial = checkOutputLength(
    terms.length === 0 ? '0' : terms.join(' '),
    context.limits.maxOutputLength,
  )
  return {
    text: `${polynomial}\n(Taylor series of ${context.input.expression} around ${variable} = ${point}, to order ${order})`,
    json: {
      mode: 'series',
      series: polynomial,
      wrt: variable,
      point,
      order,
      coefficients: coefficients.map((coefficient) => Number(context.formatNumber(coefficient))),
    },
  }
}

/**
 * A coefficient is f⁽ᵏ⁾(a)/k!. When the derivative value is a whole number (as for exp, sin, log, polynomials)
 * the coefficient is shown as the exact fraction (1/6); otherwise as a decimal to the precision.
 */
function coefficientText(context: ModeContext, derivativeValue: number, power: number): string {
  let factorial = 1
  for (let factor = 2; factor <= power; factor++) factorial *= factor
  const whole = Math.round(derivativeValue)
  if (
    Math.abs(derivativeValue - whole) <= 1e-9 * Math.max(1, Math.abs(derivativeValue)) &&
    Number.isSafeInteger(whole)
  ) {
    const fraction = context.math.fraction(whole, factorial) as unknown as { n: bigint; d: bigint }
    return fraction.d === 1n ? fraction.n.toString() : `${fraction.n}/${fraction.d}`
  }
  return context.formatNumber(derivativeValue / factorial)
}
