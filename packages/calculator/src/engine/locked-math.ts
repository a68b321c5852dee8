import { all, create, type MathJsInstance } from 'mathjs'
import { allowedFunctions } from './allowed-names.ts'

/** The matrix-size limit of the call being evaluated; set before each call (one call at a time). */
let maxMatrixElements = 10_000

export function setMaxMatrixElements(limit: number): void {
  maxMatrixElements = limit
}

export class CalculationError extends Error {
  override readonly name = 'CalculationError'
}

/** Functions that would change the instance or run another parser; replaced by throwing stubs. */
const disabledFunctions = [
  'import',
  'createUnit',
  'config',
  'evaluate',
  'parse',
  'compile',
  'reviver',
  'replacer',
  'chain',
  'help',
  'print',
]

/** Functions that allocate in proportion to their numeric arguments; checked before they run. */
const sizedFunctions = ['zeros', 'ones', 'identity', 'range', 'resize', 'reshape', 'kron', 'diag', 'concat']

export interface LockedMath {
  math: MathJsInstance
  /** The parser, compiler and symbolic helpers, captured before the instance's own were disabled. */
  parse: MathJsInstance['parse']
  derivative: MathJsInstance['derivative']
  simplify: MathJsInstance['simplify']
  rationalize: MathJsInstance['rationalize']
}

/** Builds a dedicated mathjs instance that expressions cannot reconfigure or extend. */
export function createLockedMath(config: { number: 'number' | 'BigNumber'; precision?: number }): LockedMath {
  const math = create(all, { ...config })
  // Instantiate everything an expression may use now: mathjs creates functions lazily, and later
  // creation must not see the stubs installed below.
  for (const name of allowedFunctions) void (math as unknown as Record<string, unknown>)[name]
  const locked: LockedMath = {
    math,
    parse: math.parse,
    derivative: math.derivative,
    simplify: math.simplify,
    rationalize: math.rationalize,
  }
  void math.polynomialRoot
  void math.lusolve
  void math.eigs

  const replacements: Record<string, unknown> = {}
  for (const name of disabledFunctions) {
    replacements[name] = () => {
      throw new CalculationError(`${name} is disabled in the calculator.`)
    }
  }
  const transforms = (math.expression as unknown as { transform: Record<string, unknown> }).transform
  for (const name of sizedFunctions) {
    const original = (math as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!
    const originalTransform = transforms[name] as ((...args: unknown[]) => unknown) | undefined
    const checked = (...args: unknown[]) => checkSize(name, original.apply(null, checkArguments(name, args)))
    if (originalTransform !== undefined) {
      ;(checked as { transform?: unknown }).transform = (...args: unknown[]) =>
        checkSize(name, originalTransform.apply(null, checkArguments(name, args)))
    }
    replacements[name] = checked
  }
  math.import(replacements, { override: true })
  return locked
}

/** Refuses arguments that ask for more elements than the limit, before anything is allocated. */
function checkArguments(name: string, args: unknown[]): unknown[] {
  let requested: number | undefined
  if (name === 'range') {
    const [start, end, step] = args.map(toPlainNumber)
    if (start !== undefined && end !== undefined) {
      const stride = Math.abs(step ?? 1)
      requested = stride === 0 ? Number.POSITIVE_INFINITY : Math.abs(end - start) / stride + 1
    }
  } else if (name === 'kron') {
    requested = args.map(elementCount).reduce((product, size) => product * size, 1)
  } else if (name === 'concat') {
    requested = args.map(elementCount).reduce((total, size) => total + size, 0)
  } else if (name === 'diag') {
    // A vector becomes a square matrix.
    const vector = toArray(args[0])
    requested = vector !== undefined && !Array.isArray(vector[0]) ? vector.length ** 2 : elementCount(args[0])
  } else {
    const sizeArguments = name === 'resize' || name === 'reshape' ? args.slice(1, 2) : args
    const dimensions = sizeArguments.flatMap((argument) => dimensionsOf(argument))
    if (dimensions.length > 0) requested = dimensions.reduce((product, size) => product * size, 1)
  }
  if (requested !== undefined && !(requested <= maxMatrixElements)) {
    throw new CalculationError(
      `${name} would create ${formatCount(requested)} elements; the limit is ${maxMatrixElements}.`,
    )
  }
  return args
}

function checkSize(name: string, value: unknown): unknown {
  const count = elementCount(value)
  if (count > maxMatrixElements) {
    throw new CalculationError(`${name} created ${count} elements; the limit is ${maxMatrixElements}.`)
  }
  return value
}

function toPlainNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    return (value as { toNumber(): number }).toNumber()
  }
  return undefined
}

/** Dimensions a size argument asks for: numbers, or the entries of a size vector. */
function dimensionsOf(argument: unknown): number[] {
  const plain = toPlainNumber(argument)
  if (plain !== undefined) return [Math.abs(plain)]
  const array = toArray(argument)
  if (array?.every((entry) => toPlainNumber(entry) !== undefined)) {
    return array.map((entry) => Math.abs(toPlainNumber(entry)!))
  }
  return []
}

function toArray(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value
  if (typeof value === 'object' && value !== null && 'toArray' in value) {
    return (value as { toArray(): unknown[] }).toArray()
  }
  return undefined
}

/** Elements in a matrix or array (1 for a scalar). */
export function elementCount(value: unknown): number {
  if (typeof value === 'object' && value !== null && 'size' in value && typeof value.size === 'function') {
    const size = (value as { size(): number[] }).size()
    if (Array.isArray(size)) return size.reduce((product, length) => product * length, 1)
  }
  if (Array.isArray(value)) return value.reduce((total: number, entry) => total + elementCount(entry), 0)
  return 1
}

function formatCount(count: number): string {
  return Number.isFinite(count) ? String(Math.ceil(count)) : 'infinitely many'
}
