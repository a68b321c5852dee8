import type { MathNode } from 'mathjs'
import { checkOutputLength } from '../format-result.ts'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'
import { findAntiderivative } from './antiderivative.ts'

/** With `point: [lower, upper]`, a definite integral (numeric); without, an antiderivative (symbolic). */
export function integrateMode(context: ModeContext): ModeResult {
  const { node, freeSymbols } = context.parse(context.input.expression, {
    allowFreeSymbols: true,
    allowAssignment: false,
  })
  const variable = context.chooseVariable(freeSymbols)
  const integrand = context.substituteVariables(node)
  const point = context.input.point
  if (point === undefined) return indefinite(context, integrand, variable, freeSymbols)
  if (!Array.isArray(point)) {
    throw new CalculationError(
      'For a definite integral give "point" as [lower, upper]; omit it for an antiderivative.',
    )
  }
  const others = [...freeSymbols].filter((name) => name !== variable)
  if (others.length > 0) throw new CalculationError(`Give values for ${others.join(', ')} in "variables".`)
  const lower = context.pointValue(point[0], 'the lower bound')
  const upper = context.pointValue(point[1], 'the upper bound')
  const f = context.realFunction(integrand, variable)
  const { value, errorEstimate } = integrateNumerically(f, lower, upper)
  const text = context.formatNumber(value, 12)
  return {
    text: `${text}\n(definite integral of ${context.input.expression} d${variable} from ${String(point[0])} to ${String(point[1])}; numeric, adaptive Gauss–Kronrod, estimated error ${errorEstimate.toExponential(1)})`,
    json: {
      mode: 'integrate',
      value: Number(text),
      wrt: variable,
      lower: point[0],
      upper: point[1],
      method: 'numeric (adaptive Gauss-Kronrod 7-15)',
      errorEstimate,
    },
  }
}

function indefinite(
  context: ModeContext,
  integrand: MathNode,
  variable: string,
  freeSymbols: Set<string>,
): ModeResult {
  const antiderivative = findAntiderivative(context, integrand, variable)
  if (
    antiderivative === undefined ||
    !matchesIntegrand(context, antiderivative, integrand, variable, freeSymbols)
  ) {
    throw new CalculationError(
      `No symbolic antiderivative of ${context.input.expression} was found (only sums of powers, exponentials, logarithms and trigonometric functions of a linear argument are integrated symbolically). For a number, give "point": [lower, upper] for a definite integral.`,
    )
  }
  const text = checkOutputLength(`${context.nodeText(antiderivative)} + C`, context.limits.maxOutputLength)
  return {
    text: `${text}\n(antiderivative with respect to ${variable}, symbolic; C is any constant)`,
    json: { mode: 'integrate', antiderivative: text, wrt: variable, method: 'symbolic' },
  }
}

/** Checks F' = f at sample points, so that a rule mistake can never produce a wrong answer. */
function matchesIntegrand(
  context: ModeContext,
  antiderivative: MathNode,
  integrand: MathNode,
  variable: string,
  freeSymbols: Set<string>,
): boolean {
  let derivative: MathNode
  try {
    derivative = context.numbers.derivative(antiderivative, variable)
  } catch {
    return false
  }
  const scope = context.scope()
  for (const name of freeSymbols) if (name !== variable) scope.set(name, 1.37)
  const left = derivative.compile()
  const right = integrand.compile()
  let compared = 0
  for (const x of [0.31, 0.77, 1.29, 2.13, -0.43, -1.61, 3.7]) {
    scope.set(variable, x)
    let a: unknown
    let b: unknown
    try {
      a = left.evaluate(scope)
      b = right.evaluate(scope)
    } catch {
      continue
    }
    if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) continue
    if (Math.abs(a - b) > 1e-8 * Math.max(1, Math.abs(b))) return false
    compared++
  }
  return compared >= 3
}

// Gauss–Kronrod 7-15 nodes and weights (the classic QUADPACK table).
const kronrodNodes = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
]
const kronrodWeights = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
]
const gaussWeights = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694]

const maxIntervals = 2000
const relativeTolerance = 1e-13
const absoluteTolerance = 1e-15

export function integrateNumerically(
  f: (x: number) => number,
  lower: number,
  upper: number,
): { value: number; errorEstimate: number } {
  if (Number.isNaN(lower) || Number.isNaN(upper)) throw new CalculationError('The bounds must be numbers.')
  if (lower === upper) return { value: 0, errorEstimate: 0 }
  if (lower > upper) {
    const flipped = integrateNumerically(f, upper, lower)
    return { value: -flipped.value, errorEstimate: flipped.errorEstimate }
  }
  if (Number.isFinite(lower) && Number.isFinite(upper)) return integrateOnInterval(f, lower, upper)
  // Infinite bounds: map to a finite interval; the integrand's decay is then checked by convergence.
  try {
    if (!Number.isFinite(lower) && !Number.isFinite(upper)) {
      return integrateOnInterval((t) => f(t / (1 - t * t)) * ((1 + t * t) / (1 - t * t) ** 2), -1, 1)
    }
    if (!Number.isFinite(upper))
      return integrateOnInterval((t) => f(lower + t / (1 - t)) / (1 - t) ** 2, 0, 1)
    return integrateOnInterval((t) => f(upper - (1 - t) / t) / (t * t), 0, 1)
  } catch (error) {
    if (!(error instanceof CalculationError)) throw error
    throw new CalculationError(
      'The integral over an infinite range did not converge: the integrand does not decay fast enough (or is not finite somewhere).',
    )
  }
}

interface Interval {
  a: number
  b: number
  value: number
  error: number
}

function integrateOnInterval(f: (x: number) => number, lower: number, upper: number) {
  const intervals: Interval[] = [rule(f, lower, upper)]
  let total = intervals[0]!.value
  let error = intervals[0]!.error
  while (error > Math.max(absoluteTolerance, relativeTolerance * Math.abs(total))) {
    if (intervals.length >= maxIntervals) {
      throw new CalculationError(
        `The integral did not converge (estimated error ${error.toExponential(1)}): it may diverge or oscillate too much.`,
      )
    }
    // Split the interval with the largest error.
    let worst = 0
    for (let index = 1; index < intervals.length; index++) {
      if (intervals[index]!.error > intervals[worst]!.error) worst = index
    }
    const { a, b } = intervals[worst]!
    const middle = (a + b) / 2
    if (!(middle > a && middle < b)) break
    const left = rule(f, a, middle)
    const right = rule(f, middle, b)
    intervals.splice(worst, 1, left, right)
    total = intervals.reduce((sum, interval) => sum + interval.value, 0)
    error = intervals.reduce((sum, interval) => sum + interval.error, 0)
  }
  if (!Number.isFinite(total)) throw new CalculationError('The integral is not finite: it diverges.')
  return { value: total, errorEstimate: error }
}

function rule(f: (x: number) => number, a: number, b: number): Interval {
  const center = (a + b) / 2
  const halfLength = (b - a) / 2
  let kronrod = 0
  let gauss = 0
  for (let index = 0; index < kronrodNodes.length; index++) {
    const offset = halfLength * kronrodNodes[index]!
    const values = offset === 0 ? [f(center)] : [f(center - offset), f(center + offset)]
    for (const value of values) {
      if (!Number.isFinite(value)) {
        throw new CalculationError(
          `The integrand is not finite near x = ${(offset === 0 ? center : center - offset).toPrecision(6)}: the integral may diverge there.`,
        )
      }
    }
    const sum = values.reduce((total, value) => total + value, 0)
    kronrod += kronrodWeights[index]! * sum
    if (index % 2 === 1) gauss += gaussWeights[(index - 1) / 2]! * sum
  }
  const value = kronrod * halfLength
  return { a, b, value, error: Math.abs((kronrod - gauss) * halfLength) }
}
