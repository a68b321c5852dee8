/** Limits that bound what one calculator call may cost. Every one can be set by the operator. */
export interface CalculatorLimits {
  /** Longest expression accepted, in characters. Default 1000. */
  maxExpressionLength: number
  /** Most parsed nodes in an expression. Default 500. */
  maxNodes: number
  /** Deepest nesting of brackets (default 40); the parsed tree may be 10 times deeper (long sums, unary chains). */
  maxDepth: number
  /** Most elements in any matrix or range a call creates. Default 10 000. */
  maxMatrixElements: number
  /** Longest result text, in characters. Default 10 000. */
  maxOutputLength: number
  /** Highest `order` for `derive` and `series`. Default 12. */
  maxOrder: number
  /** Most entries in `variables`. Default 50. */
  maxVariables: number
  /** Deadline for one evaluation in the worker, in ms; on expiry the worker is killed and replaced. Default 2000. */
  timeoutMs: number
  /** Old-generation heap of the worker, in MB; exceeding it kills the worker. Default 128, at least 64 (mathjs itself needs about 50). */
  maxMemoryMb: number
}

export const defaultCalculatorLimits: Readonly<CalculatorLimits> = Object.freeze({
  maxExpressionLength: 1000,
  maxNodes: 500,
  maxDepth: 40,
  maxMatrixElements: 10_000,
  maxOutputLength: 10_000,
  maxOrder: 12,
  maxVariables: 50,
  timeoutMs: 2000,
  maxMemoryMb: 128,
})

/** Below this the worker cannot even load mathjs. */
const minimumMemoryMb = 64

/** Merges operator limits over the defaults and rejects values that are not positive integers. */
export function resolveLimits(overrides: Partial<CalculatorLimits> = {}): CalculatorLimits {
  const limits = { ...defaultCalculatorLimits }
  for (const [key, value] of Object.entries(overrides) as [keyof CalculatorLimits, unknown][]) {
    if (value === undefined) continue
    if (!(key in defaultCalculatorLimits)) {
      throw new TypeError(
        `Unknown calculator limit "${key}". Known limits: ${Object.keys(limits).join(', ')}.`,
      )
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new TypeError(`Calculator limit "${key}" must be a positive integer, got ${String(value)}.`)
    }
    if (key === 'maxMemoryMb' && value < minimumMemoryMb) {
      throw new TypeError(
        `Calculator limit "maxMemoryMb" must be at least ${minimumMemoryMb}: mathjs alone needs about 50 MB.`,
      )
    }
    limits[key] = value
  }
  return limits
}
