import type { MathJsInstance, MathNode } from 'mathjs'
import { checkExpression, checkSource } from './expression-guard.ts'
import { formatValue } from './format-result.ts'
import { CalculationError, type LockedMath } from './locked-math.ts'
import type { CalculatorInput, EngineJson, EngineLimits, PointValue } from './protocol.ts'

export interface ModeResult {
  /** First line: the plain answer. Further lines: how it was found. */
  text: string
  json: EngineJson
}

export interface ParseOptions {
  allowFreeSymbols: boolean
  allowAssignment: boolean
  /** Rewrites applied after parsing and before the check (matrix-mode aliases). */
  rewrite?: (node: MathNode) => MathNode
}

/** What every mode gets: the input, the limits, the locked instances and checked parsing. */
export class ModeContext {
  readonly input: CalculatorInput
  readonly limits: EngineLimits
  readonly numbers: LockedMath
  private readonly bigNumbersFactory: () => LockedMath

  constructor(
    input: CalculatorInput,
    limits: EngineLimits,
    numbers: LockedMath,
    bigNumbers: () => LockedMath,
  ) {
    this.input = input
    this.limits = limits
    this.numbers = numbers
    this.bigNumbersFactory = bigNumbers
  }

  get math(): MathJsInstance {
    return this.numbers.math
  }

  get bigNumbers(): LockedMath {
    return this.bigNumbersFactory()
  }

  get precision(): number | undefined {
    return this.input.precision
  }

  /** The caller's variables as a fresh scope: nothing one call assigns reaches the next. */
  scope(extra: Record<string, unknown> = {}): Map<string, unknown> {
    return new Map<string, unknown>([...Object.entries(this.input.variables ?? {}), ...Object.entries(extra)])
  }

  /** Parses with the given instance and runs every check; returns the tree and its free symbols. */
  parse(written: string, options: ParseOptions, locked: LockedMath = this.numbers) {
    // `**` is Python's (and Strands') power; in mathjs it is a syntax error, so reading it as `^` changes nothing else.
    const source = written.includes('**') ? written.replaceAll('**', '^') : written
    checkSource(source, this.limits.maxExpressionLength, this.limits.maxDepth)
    let node: MathNode
    try {
      node = locked.parse(source)
    } catch (error) {
      if (error instanceof RangeError) {
        throw new CalculationError(
          `The expression nests too deeply to parse (limit ${this.limits.maxDepth}).`,
        )
      }
      throw new CalculationError(`The expression could not be parsed: ${(error as Error).message}.`)
    }
    if (options.rewrite) node = options.rewrite(node)
    const freeSymbols = checkExpression(node, {
      math: locked.math,
      maxNodes: this.limits.maxNodes,
      maxDepth: this.limits.maxDepth,
      variables: new Set(Object.keys(this.input.variables ?? {})),
      allowFreeSymbols: options.allowFreeSymbols,
      allowAssignment: options.allowAssignment,
    })
    return { node, freeSymbols }
  }

  /** The variable a symbolic mode works on: `wrt`, else the only free symbol, else `x`. */
  chooseVariable(freeSymbols: ReadonlySet<string>): string {
    const { wrt } = this.input
    if (wrt !== undefined) {
      if (this.input.variables && Object.hasOwn(this.input.variables, wrt)) {
        throw new CalculationError(`"${wrt}" is both "wrt" and a variable with a value; give only one.`)
      }
      return wrt
    }
    if (freeSymbols.size === 1) return [...freeSymbols][0]!
    if (freeSymbols.size === 0) return 'x'
    if (freeSymbols.has('x')) return 'x'
    throw new CalculationError(
      `The expression has several unknowns (${[...freeSymbols].join(', ')}): say which one in "wrt".`,
    )
  }

  /** Replaces the caller's variables by their values, for the symbolic modes. */
  substituteVariables(node: MathNode): MathNode {
    const variables = this.input.variables
    if (!variables || Object.keys(variables).length === 0) return node
    const math = this.math
    return node.transform((child) => {
      if (child.type === 'SymbolNode') {
        const name = (child as unknown as { name: string }).name
        if (Object.hasOwn(variables, name)) return new math.ConstantNode(variables[name]!)
      }
      return child
    })
  }

  /** A real function of one variable; non-real or non-numeric results become NaN. */
  realFunction(node: MathNode, variable: string): (value: number) => number {
    const compiled = node.compile()
    const scope = this.scope()
    return (value: number) => {
      scope.set(variable, value)
      const result = compiled.evaluate(scope)
      if (typeof result === 'number') return result
      if (this.math.isComplex(result))
        return Math.abs(result.im) < 1e-12 * (1 + Math.abs(result.re)) ? result.re : Number.NaN
      if (this.math.isBigNumber(result) || this.math.isFraction(result))
        return this.math.number(result as never) as number
      return Number.NaN
    }
  }

  formatNumber(value: unknown, defaultPrecision = 14): string {
    return formatValue(this.math, value, this.precision ?? defaultPrecision)
  }

  /** Reads `point` as one number. */
  singlePoint(defaultValue: number | undefined, what: string): number {
    const point = this.input.point
    if (point === undefined) {
      if (defaultValue === undefined) throw new CalculationError(`Give "point": ${what}.`)
      return defaultValue
    }
    if (Array.isArray(point)) throw new CalculationError(`"point" must be one value here: ${what}.`)
    return this.pointValue(point, '"point"')
  }

  /**
   * A point or bound as a number: a number, an infinity (`oo`, `-oo`, `inf`, `Infinity`, as Strands and SymPy
   * spell it), or an expression with a constant value (`"0"`, `"pi/2"`, `"sqrt(2)"`), checked like any expression.
   */
  pointValue(point: PointValue, label: string): number {
    if (typeof point === 'number') return point
    const infinity = infinitySpellings.get(point.trim().toLowerCase())
    if (infinity !== undefined) return infinity
    const expected = `${label} must be a number, an infinity ("oo", "-oo") or an expression with a constant value such as "0" or "pi/2"`
    let value: unknown
    try {
      const { node } = this.parse(point, { allowFreeSymbols: false, allowAssignment: false })
      value = node.compile().evaluate(this.scope())
    } catch (error) {
      throw new CalculationError(
        `${expected}; "${point}" is not (${(error as Error).message.replace(/\.$/, '')}).`,
      )
    }
    const number =
      this.math.isBigNumber(value) || this.math.isFraction(value) ? this.math.number(value as never) : value
    if (typeof number !== 'number' || Number.isNaN(number)) {
      throw new CalculationError(`${expected}; "${point}" is not a real number.`)
    }
    return number
  }

  /** Shows a node as text with numbers rounded to the precision. */
  nodeText(node: MathNode): string {
    const digits = this.precision ?? 14
    return node.toString({
      handler: (child: MathNode) => {
        if (child.type === 'ConstantNode') {
          const value = (child as unknown as { value: unknown }).value
          if (typeof value === 'number')
            return this.math.format(value, { precision: digits, lowerExp: -7, upperExp: 21 })
        }
        return undefined
      },
    } as never)
  }
}

/** Infinity as Strands (SymPy) and JavaScript spell it, lower-cased. */
const infinitySpellings: ReadonlyMap<string, number> = new Map([
  ['oo', Number.POSITIVE_INFINITY],
  ['+oo', Number.POSITIVE_INFINITY],
  ['-oo', Number.NEGATIVE_INFINITY],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
  ['infinity', Number.POSITIVE_INFINITY],
  ['+infinity', Number.POSITIVE_INFINITY],
  ['-infinity', Number.NEGATIVE_INFINITY],
])
