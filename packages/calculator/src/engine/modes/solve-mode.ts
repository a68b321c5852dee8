import type { MathNode } from 'mathjs'
import { checkOutputLength } from '../format-result.ts'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'

const scanRange = 100
const scanSteps = 4000
const maxRoots = 12

/**
 * `x^2 - 3x + 2 = 0` (polynomial: every root, complex ones too), `2x + y = 3; x - y = 0` (linear system),
 * or any other single equation (numeric real roots). A side without `=` means `= 0`.
 */
export function solveMode(context: ModeContext): ModeResult {
  const equations = splitEquations(context.input.expression)
  if (equations.length === 0) throw new CalculationError('Give an equation, for example x^2 - 4 = 0.')
  const parsed = equations.map((equation) => {
    const sides = splitSides(equation)
    const left = context.parse(sides[0], { allowFreeSymbols: true, allowAssignment: false })
    const right = context.parse(sides[1], { allowFreeSymbols: true, allowAssignment: false })
    const math = context.math
    const difference = new math.OperatorNode('-', 'subtract', [
      new math.ParenthesisNode(context.substituteVariables(left.node)),
      new math.ParenthesisNode(context.substituteVariables(right.node)),
    ])
    const unknowns = new Set([...left.freeSymbols, ...right.freeSymbols])
    for (const name of Object.keys(context.input.variables ?? {})) unknowns.delete(name)
    return { node: difference as MathNode, unknowns }
  })
  if (parsed.length > 1) return linearSystem(context, parsed)
  const [{ node, unknowns }] = parsed as [{ node: MathNode; unknowns: Set<string> }]
  const variable = context.chooseVariable(unknowns)
  const others = [...unknowns].filter((name) => name !== variable)
  if (others.length > 0) throw new CalculationError(`Give values for ${others.join(', ')} in "variables".`)
  return polynomialRoots(context, node, variable) ?? numericRoots(context, node, variable)
}

/** Splits on `;`, newlines and top-level commas. */
function splitEquations(source: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const character of source) {
    if (character === '(' || character === '[') depth++
    if (character === ')' || character === ']') depth--
    if ((character === ';' || character === '\n' || character === ',') && depth === 0) {
      parts.push(current)
      current = ''
    } else current += character
  }
  parts.push(current)
  return parts.map((part) => part.trim()).filter((part) => part.length > 0)
}

/** `a = b` or `a == b` into its sides; no `=` means `= 0`. */
function splitSides(equation: string): [string, string] {
  const pieces = equation.split(/(?<![<>!=])==?(?!=)/)
  if (pieces.length === 1) return [equation, '0']
  if (pieces.length !== 2 || pieces[0]!.trim() === '' || pieces[1]!.trim() === '') {
    throw new CalculationError(`"${equation}" is not one equation: write it as left = right.`)
  }
  return [pieces[0]!, pieces[1]!]
}

function polynomialRoots(context: ModeContext, node: MathNode, variable: string): ModeResult | undefined {
  let expanded: {
    variables: string[]
    coefficients: unknown[]
    numerator: MathNode
    denominator: MathNode | null
  }
  try {
    expanded = context.numbers.rationalize(node, {}, true) as never
  } catch {
    return undefined
  }
  if (expanded.variables.length > 1) return undefined
  if (expanded.variables.length === 0) {
    // No unknown left (0 = 0, 1 = 2): the equation is always or never true.
    const value = context.realFunction(node, variable)(0)
    throw new CalculationError(
      value === 0
        ? 'Every value of the variable solves this equation.'
        : 'The equation has no solution: it reduces to a false statement.',
    )
  }
  const math = context.math
  const coefficients = expanded.coefficients.map((coefficient) => math.number(coefficient as never) as number)
  if (coefficients.length === 0 || coefficients.some((coefficient) => !Number.isFinite(coefficient)))
    return undefined
  while (coefficients.length > 1 && coefficients.at(-1) === 0) coefficients.pop()
  const degree = coefficients.length - 1
  if (degree === 0) {
    throw new CalculationError(
      coefficients[0] === 0
        ? 'Every value of the variable solves this equation.'
        : 'The equation has no solution: it reduces to a false statement.',
    )
  }
  let roots: unknown[]
  if (degree <= 3) {
    roots = (math.polynomialRoot as (...values: number[]) => unknown[])(...coefficients)
  } else {
    // Roots of a higher-degree polynomial are the eigenvalues of its companion matrix.
    const leading = coefficients[degree]!
    const companion = Array.from({ length: degree }, (_, row) =>
      Array.from({ length: degree }, (_, column) => {
        if (row === 0) return -coefficients[degree - 1 - column]! / leading
        return column === row - 1 ? 1 : 0
      }),
    )
    try {
      roots = math.eigs(companion).values.valueOf() as unknown[]
    } catch (error) {
      throw new CalculationError(`The polynomial roots could not be computed: ${(error as Error).message}.`)
    }
  }
  const denominator = expanded.denominator
  const excluded = denominator ? context.realFunction(denominator, variable) : undefined
  const cleaned = roots
    .map((root) => cleanRoot(context, root))
    .filter((root) => typeof root !== 'number' || excluded === undefined || Math.abs(excluded(root)) > 1e-12)
  const unique = cleaned.filter(
    (root, index) =>
      cleaned.findIndex((other) => context.formatNumber(other) === context.formatNumber(root)) === index,
  )
  if (unique.length === 0)
    throw new CalculationError('The equation has no solution (its only candidates make a denominator zero).')
  unique.sort((a, b) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : typeof a === 'number' ? -1 : 1,
  )
  const shown = unique.map((root) => context.formatNumber(root))
  const answer = checkOutputLength(
    shown.map((root) => `${variable} = ${root}`).join(' or '),
    context.limits.maxOutputLength,
  )
  return {
    text: `${answer}\n(polynomial of degree ${degree} in ${variable}; ${degree <= 3 ? 'closed-form roots' : 'roots from the companion matrix eigenvalues'}, complex roots included)`,
    json: {
      mode: 'solve',
      method: 'polynomial',
      degree,
      wrt: variable,
      solutions: unique.map((root) =>
        typeof root === 'number'
          ? Number(context.formatNumber(root))
          : {
              re: Number(context.formatNumber(math.re(root as never))),
              im: Number(context.formatNumber(math.im(root as never))),
            },
      ),
    },
  }
}

/** A real number when the imaginary part is rounding noise; else the complex value. */
function cleanRoot(context: ModeContext, root: unknown): unknown {
  const math = context.math
  if (typeof root === 'number') return root + 0
  if (math.isComplex(root)) {
    if (Math.abs(root.im) <= 1e-10 * Math.max(1, Math.abs(root.re))) return root.re + 0
    return root
  }
  return math.number(root as never)
}

function linearSystem(
  context: ModeContext,
  equations: { node: MathNode; unknowns: Set<string> }[],
): ModeResult {
  const names = [...new Set(equations.flatMap(({ unknowns }) => [...unknowns]))].sort()
  if (names.length !== equations.length) {
    throw new CalculationError(
      `The system has ${equations.length} equations in ${names.length} unknowns (${names.join(', ')}); only square linear systems are solved.`,
    )
  }
  const compiled = equations.map(({ node }) => node.compile())
  const scope = context.scope()
  const evaluateAt = (values: number[]) =>
    compiled.map((equation) => {
      for (const [index, name] of names.entries()) scope.set(name, values[index])
      const value = equation.evaluate(scope)
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new CalculationError(
          'The system could not be evaluated as real numbers; only linear systems are solved.',
        )
      }
      return value
    })
  const zero = names.map(() => 0)
  const offsets = evaluateAt(zero)
  const columns = names.map((_, index) => {
    const unit = zero.slice()
    unit[index] = 1
    return evaluateAt(unit).map((value, row) => value - offsets[row]!)
  })
  const matrix = equations.map((_, row) => columns.map((column) => column[row]!))
  // A linear system gives the same values at any other point as its coefficients predict.
  const probe = names.map((_, index) => 1.7 + index * 0.9)
  const predicted = matrix.map((row, index) =>
    row.reduce((sum, coefficient, column) => sum + coefficient * probe[column]!, offsets[index]!),
  )
  const actual = evaluateAt(probe)
  if (
    actual.some((value, index) => Math.abs(value - predicted[index]!) > 1e-9 * Math.max(1, Math.abs(value)))
  ) {
    throw new CalculationError(
      'The system is not linear; only linear systems of equations are solved (or solve one equation at a time).',
    )
  }
  let solution: number[]
  try {
    solution = (
      context.math
        .lusolve(
          matrix,
          offsets.map((value) => -value),
        )
        .valueOf() as number[][]
    ).map((row) => row[0]!)
  } catch {
    throw new CalculationError(
      'The system has no unique solution: its equations are dependent or contradictory.',
    )
  }
  if (solution.some((value) => !Number.isFinite(value))) {
    throw new CalculationError(
      'The system has no unique solution: its equations are dependent or contradictory.',
    )
  }
  const shown = solution.map((value) => context.formatNumber(Math.abs(value) < 1e-14 ? 0 : value))
  const answer = names.map((name, index) => `${name} = ${shown[index]}`).join(', ')
  return {
    text: `${answer}\n(linear system of ${names.length} equations, solved by LU decomposition)`,
    json: {
      mode: 'solve',
      method: 'linear system',
      solution: Object.fromEntries(names.map((name, index) => [name, Number(shown[index])])),
    },
  }
}

function numericRoots(context: ModeContext, node: MathNode, variable: string): ModeResult {
  const f = context.realFunction(node, variable)
  const roots: number[] = []
  const point = context.input.point
  if (point !== undefined && !Array.isArray(point)) {
    const root = newton(f, context.pointValue(point, '"point" (the start of the search)'))
    if (root !== undefined) roots.push(root)
  }
  let previousX = -scanRange
  let previousY = f(previousX)
  for (let step = 1; step <= scanSteps && roots.length < maxRoots; step++) {
    const x = -scanRange + (2 * scanRange * step) / scanSteps
    const y = f(x)
    if (Number.isFinite(y) && Number.isFinite(previousY)) {
      if (y === 0) roots.push(x)
      else if (previousY !== 0 && Math.sign(y) !== Math.sign(previousY)) {
        const root = bisect(f, previousX, x, previousY)
        // A sign change across a pole (tan x at pi/2) is not a root.
        if (root !== undefined) roots.push(root)
      }
    }
    previousX = x
    previousY = y
  }
  if (roots.length >= maxRoots && [-71.3, -3.7, 0.9, 12.1, 88.8].every((x) => f(x) === 0)) {
    throw new CalculationError('Every value of the variable solves this equation.')
  }
  const unique = roots
    .sort((a, b) => a - b)
    .filter(
      (root, index, all) =>
        index === 0 || Math.abs(root - all[index - 1]!) > 1e-9 * Math.max(1, Math.abs(root)),
    )
  if (unique.length === 0) {
    throw new CalculationError(
      `No real root was found in [-${scanRange}, ${scanRange}]. Give "point" as a starting guess near a root.`,
    )
  }
  const shown = unique.map((root) => context.formatNumber(Math.abs(root) < 1e-15 ? 0 : root, 12))
  return {
    text: `${shown.map((root) => `${variable} = ${root}`).join(' or ')}\n(numeric real roots found by scanning [-${scanRange}, ${scanRange}]${typeof point === 'number' ? ` and by Newton's method from ${point}` : ''}; other roots may exist outside it)`,
    json: { mode: 'solve', method: 'numeric', wrt: variable, solutions: shown.map(Number) },
  }
}

function bisect(f: (x: number) => number, a: number, b: number, fa: number): number | undefined {
  let low = a
  let high = b
  let lowValue = fa
  for (let iteration = 0; iteration < 200 && high - low > 1e-15 * Math.max(1, Math.abs(low)); iteration++) {
    const middle = (low + high) / 2
    const value = f(middle)
    if (!Number.isFinite(value)) return undefined
    if (value === 0) return middle
    if (Math.sign(value) === Math.sign(lowValue)) {
      low = middle
      lowValue = value
    } else high = middle
  }
  const root = (low + high) / 2
  const residual = Math.abs(f(root))
  return residual < 1e-6 ? root : undefined
}

function newton(f: (x: number) => number, start: number): number | undefined {
  let x = start
  for (let iteration = 0; iteration < 100; iteration++) {
    const y = f(x)
    if (!Number.isFinite(y)) return undefined
    if (Math.abs(y) < 1e-14) return x
    const h = 1e-7 * Math.max(1, Math.abs(x))
    const slope = (f(x + h) - f(x - h)) / (2 * h)
    if (!Number.isFinite(slope) || slope === 0) return undefined
    const next = x - y / slope
    if (Math.abs(next - x) < 1e-15 * Math.max(1, Math.abs(x)))
      return Math.abs(f(next)) < 1e-9 ? next : undefined
    x = next
  }
  return Math.abs(f(x)) < 1e-9 ? x : undefined
}
