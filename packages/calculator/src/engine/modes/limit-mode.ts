import type { BigNumber } from 'mathjs'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'

/**
 * Distances 10^-6 … 10^-14 from the point, and magnitudes 10^8 … 10^24 towards infinity. With 64-digit
 * numbers a difference like 1 - cos(10^-14) keeps about 35 correct digits.
 */
const nearExponents = [6, 8, 10, 12, 14]
const farExponents = [8, 12, 16, 20, 24]

/**
 * Two-sided limit at `point` (or towards ±Infinity). Continuous functions answer by substitution;
 * otherwise the function is sampled ever closer with 64-digit big numbers, which avoids the
 * cancellation that makes (1 - cos x)/x^2 wrong in doubles, and the samples must settle.
 */
export function limitMode(context: ModeContext): ModeResult {
  const { node, freeSymbols } = context.parse(context.input.expression, {
    allowFreeSymbols: true,
    allowAssignment: false,
  })
  const variable = context.chooseVariable(freeSymbols)
  const others = [...freeSymbols].filter((name) => name !== variable)
  if (others.length > 0) throw new CalculationError(`Give values for ${others.join(', ')} in "variables".`)
  const point = context.singlePoint(
    undefined,
    'the value the variable approaches (a number, "Infinity" or "-Infinity")',
  )
  const substituted = context.substituteVariables(node)

  if (Number.isFinite(point)) {
    const f = context.realFunction(substituted, variable)
    const atPoint = f(point)
    const step = 1e-7 * Math.max(1, Math.abs(point))
    const nearby = [f(point - step), f(point + step)]
    const tolerance = 1e-4 * Math.max(1, Math.abs(atPoint))
    if (Number.isFinite(atPoint) && nearby.every((value) => Math.abs(value - atPoint) <= tolerance)) {
      return answer(
        context,
        variable,
        point,
        atPoint,
        'the function is continuous there: direct substitution',
      )
    }
  }

  const big = context.bigNumbers
  const compiled = context
    .parse(substituted.toString(), { allowFreeSymbols: true, allowAssignment: false }, big)
    .node.compile()
  const scope = new Map<string, unknown>()
  const sample = (x: BigNumber): BigNumber | undefined => {
    scope.set(variable, x)
    let value: unknown
    try {
      value = compiled.evaluate(scope)
    } catch {
      return undefined
    }
    if (big.math.isBigNumber(value)) return value
    if (typeof value === 'number') return big.math.bignumber(value)
    return undefined
  }
  const sides: { name: string; values: (BigNumber | undefined)[] }[] = []
  const ten = big.math.bignumber(10)
  if (Number.isFinite(point)) {
    const center = big.math.bignumber(point)
    for (const [name, sign] of [
      ['left', -1],
      ['right', 1],
    ] as const) {
      sides.push({
        name,
        values: nearExponents.map((exponent) =>
          sample(center.plus(ten.pow(-exponent).times(sign * Math.max(1, Math.abs(point))))),
        ),
      })
    }
  } else {
    const sign = point > 0 ? 1 : -1
    sides.push({
      name: point > 0 ? 'towards Infinity' : 'towards -Infinity',
      values: farExponents.map((exponent) => sample(ten.pow(exponent).times(sign))),
    })
  }

  // Where the function is only defined on one side (x·log x at 0), the limit is the one-sided one.
  const defined = sides.filter((side) =>
    side.values.slice(-3).every((value) => value !== undefined && !value.isNaN()),
  )
  const used = defined.length > 0 ? defined : sides
  const limits = used.map((side) => settle(side.name, side.values))
  const [first, second] = limits
  const oneSided =
    used.length === 1 && sides.length === 2
      ? `; ${used[0]!.name}-hand only, the function is undefined on the other side`
      : ''
  if (second !== undefined && Math.abs(first! - second) > 1e-9 * Math.max(1, Math.abs(first!))) {
    throw new CalculationError(
      `The left-hand limit (${context.formatNumber(first)}) and the right-hand limit (${context.formatNumber(second)}) differ: the two-sided limit does not exist.`,
    )
  }
  return answer(
    context,
    variable,
    point,
    first!,
    `numeric: sampled with 64-digit numbers ever closer to the point${oneSided}`,
  )
}

/** The value the samples settle on, or an error saying they diverge or do not settle. */
function settle(side: string, values: (BigNumber | undefined)[]): number {
  const numbers = values.map((value) => (value === undefined ? Number.NaN : value.toNumber()))
  const last = numbers.at(-1)!
  const previous = numbers.at(-2)!
  if (numbers.slice(-3).some((value) => Number.isNaN(value))) {
    throw new CalculationError(
      `The function is not defined near the point (${side}); the limit could not be found.`,
    )
  }
  if (Math.abs(last) > 1e12 && Math.abs(last) > Math.abs(previous) * 10) {
    throw new CalculationError(
      `The function grows without bound (${side}): the limit is ${last > 0 ? '' : '-'}Infinity.`,
    )
  }
  if (Math.abs(last - previous) > 1e-9 * Math.max(1, Math.abs(last))) {
    throw new CalculationError(
      `The function does not settle on a value (${side}): the limit does not exist or converges too slowly.`,
    )
  }
  return last
}

function answer(
  context: ModeContext,
  variable: string,
  point: number,
  value: number,
  method: string,
): ModeResult {
  const rounded = Math.abs(value - Math.round(value)) < 1e-12 ? Math.round(value) : value
  const text = context.formatNumber(rounded, 12)
  const where = Number.isFinite(point) ? String(point) : point > 0 ? 'Infinity' : '-Infinity'
  return {
    text: `${text}\n(limit of ${context.input.expression} as ${variable} → ${where}; ${method})`,
    json: { mode: 'limit', value: Number(text), wrt: variable, point: where, method },
  }
}
