import type { MathNode } from 'mathjs'
import type { ModeContext } from '../mode-context.ts'

/**
 * A small rule-based integrator: linearity, powers, exponentials, logarithms and the trigonometric and
 * hyperbolic functions of a linear argument, and polynomials after expansion. Returns undefined when no
 * rule applies; the caller checks every answer by differentiating it.
 */
export function findAntiderivative(
  context: ModeContext,
  node: MathNode,
  variable: string,
): MathNode | undefined {
  const parse = context.numbers.parse
  const depends = (candidate: MathNode) =>
    candidate.filter(
      (child) => child.type === 'SymbolNode' && (child as unknown as { name: string }).name === variable,
    ).length > 0
  const wrap = (candidate: MathNode) => `(${candidate.toString()})`

  /** The constant slope of a linear argument, or undefined when the argument is not linear. */
  const slopeOf = (argument: MathNode): string | undefined => {
    try {
      const slope = context.numbers.derivative(argument, variable)
      if (depends(slope)) return undefined
      const value = slope.compile().evaluate(context.scope())
      if (typeof value === 'number' && value === 0) return undefined
      return wrap(slope)
    } catch {
      return undefined
    }
  }

  const integrate = (current: MathNode): string | undefined => {
    if (!depends(current)) return `${wrap(current)} * ${variable}`
    switch (current.type) {
      case 'ParenthesisNode':
        return integrate((current as unknown as { content: MathNode }).content)
      case 'SymbolNode':
        return `${variable}^2 / 2`
      case 'OperatorNode': {
        const { fn, args } = current as unknown as { fn: string; args: MathNode[] }
        const [left, right] = args as [MathNode, MathNode | undefined]
        if (fn === 'unaryPlus') return integrate(left)
        if (fn === 'unaryMinus') return join('-(', integrate(left), ')')
        if ((fn === 'add' || fn === 'subtract') && right) {
          const a = integrate(left)
          const b = integrate(right)
          return a === undefined || b === undefined ? undefined : `${a} ${fn === 'add' ? '+' : '-'} (${b})`
        }
        if (fn === 'multiply' && right) {
          if (!depends(left)) return join(`${wrap(left)} * (`, integrate(right), ')')
          if (!depends(right)) return join(`${wrap(right)} * (`, integrate(left), ')')
          return polynomial(current)
        }
        if (fn === 'divide' && right) {
          if (!depends(right)) return join('(', integrate(left), `) / ${wrap(right)}`)
          if (!depends(left)) return reciprocal(left, right) ?? polynomial(current)
          return polynomial(current)
        }
        if (fn === 'pow' && right) return power(left, right) ?? polynomial(current)
        return undefined
      }
      case 'FunctionNode': {
        const { fn, args } = current as unknown as { fn: { name: string }; args: MathNode[] }
        if (args.length !== 1) return undefined
        const u = wrap(args[0]!)
        const slope = slopeOf(args[0]!)
        if (slope === undefined) return undefined
        const rules: Record<string, string> = {
          sin: `-cos(${u})`,
          cos: `sin(${u})`,
          tan: `-log(abs(cos(${u})))`,
          exp: `exp(${u})`,
          sinh: `cosh(${u})`,
          cosh: `sinh(${u})`,
          tanh: `log(cosh(${u}))`,
          log: `${u} * log(${u}) - ${u}`,
          sqrt: `2 / 3 * ${u}^(3/2)`,
          sec: `log(abs(sec(${u}) + tan(${u})))`,
        }
        const rule = rules[fn.name]
        return rule === undefined ? undefined : `(${rule}) / ${slope}`
      }
      default:
        return undefined
    }
  }

  /** c / u: logarithm for linear u, arctangent for 1 + x^2. */
  const reciprocal = (numerator: MathNode, wrapped: MathNode): string | undefined => {
    let denominator = wrapped
    while (denominator.type === 'ParenthesisNode')
      denominator = (denominator as unknown as { content: MathNode }).content
    const slope = slopeOf(denominator)
    if (slope !== undefined) return `${wrap(numerator)} * log(abs(${denominator.toString()})) / ${slope}`
    const text = denominator.toString().replaceAll(' ', '')
    if (text === `1+${variable}^2` || text === `${variable}^2+1`)
      return `${wrap(numerator)} * atan(${variable})`
    return power(denominator, parse('-1'), numerator)
  }

  /** u^n for linear u and constant n; c^u for constant c and linear u. */
  const power = (base: MathNode, exponent: MathNode, factor?: MathNode): string | undefined => {
    const scale = factor === undefined ? '' : `${wrap(factor)} * `
    if (!depends(exponent)) {
      const slope = slopeOf(base)
      if (slope === undefined) return undefined
      const n = exponent.compile().evaluate(context.scope())
      if (typeof n !== 'number') return undefined
      if (n === -1) return `${scale}log(abs(${base.toString()})) / ${slope}`
      return `${scale}${wrap(base)}^(${n + 1}) / (${n + 1} * ${slope})`
    }
    if (!depends(base)) {
      const slope = slopeOf(exponent)
      if (slope === undefined) return undefined
      return `${scale}${wrap(base)}^${wrap(exponent)} / (log(${base.toString()}) * ${slope})`
    }
    return undefined
  }

  /** A polynomial (after expansion) integrates term by term. */
  const polynomial = (current: MathNode): string | undefined => {
    try {
      const expanded = context.numbers.rationalize(current, {}, true) as unknown as {
        variables: string[]
        coefficients: number[]
        denominator: MathNode | null
      }
      if (expanded.denominator !== null && expanded.denominator !== undefined) return undefined
      if (expanded.variables.length !== 1 || expanded.variables[0] !== variable) return undefined
      if (expanded.coefficients.length === 0) return undefined
      return expanded.coefficients
        .map((coefficient, power) => `(${coefficient}) * ${variable}^${power + 1} / ${power + 1}`)
        .join(' + ')
    } catch {
      return undefined
    }
  }

  const result = integrate(node)
  if (result === undefined) return undefined
  try {
    return context.numbers.simplify(parse(result))
  } catch {
    return parse(result)
  }
}

function join(prefix: string, inner: string | undefined, suffix: string): string | undefined {
  return inner === undefined ? undefined : `${prefix}${inner}${suffix}`
}
