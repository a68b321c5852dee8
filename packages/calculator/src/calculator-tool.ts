import { type Tool, tool } from '@agent/core'
import { createCalculatorInputSchema } from './calculator-input-schema.js'
import { type CalculatorLimits, resolveLimits } from './calculator-limits.js'
import { CalculatorWorkerClient } from './calculator-worker-client.js'
import type { CalculatorInput, EngineJson, EngineLimits } from './engine/protocol.js'

export interface CalculatorToolOptions {
  /** Tool name shown to the model. Default `calculator` (the offline model looks for that name). */
  name?: string
  /** Replaces the default description. */
  description?: string
  /** Operator limits; each falls back to `defaultCalculatorLimits`. */
  limits?: Partial<CalculatorLimits>
  /**
   * Start the worker now, in the background, so that the first call does not wait for mathjs to load.
   * Default true. The starting worker never keeps the process alive.
   */
  startWorker?: boolean
}

/** The tool plus the controls a server or test needs. */
export interface CalculatorTool extends Tool {
  /** Effective limits. */
  readonly limits: Readonly<CalculatorLimits>
  /** Starts the worker ahead of the first call. */
  warm(): Promise<void>
  /** Stops the worker; later calls fail with a clear message. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
  /** How many workers this tool has started (a new one after each kill). */
  readonly workersStarted: number
}

export type CalculatorResult =
  | { status: 'success'; content: [{ text: string }, { json: EngineJson }] }
  | { status: 'error'; content: [{ text: string }] }

const defaultDescription =
  'A calculator. Evaluates math exactly as written in mathjs syntax (arithmetic, big numbers, fractions, complex numbers, ' +
  'units, matrices) and does calculus and algebra: derivatives, equation solving, integrals, limits, Taylor series and ' +
  'matrix analysis. Use it for any arithmetic instead of computing in your head. The first line of the result is the answer.'

/** Builds a calculator tool with its own worker and limits. */
export function createCalculatorTool(options: CalculatorToolOptions = {}): CalculatorTool {
  const limits = resolveLimits(options.limits)
  const engineLimits: EngineLimits = {
    maxExpressionLength: limits.maxExpressionLength,
    maxNodes: limits.maxNodes,
    maxDepth: limits.maxDepth,
    maxMatrixElements: limits.maxMatrixElements,
    maxOutputLength: limits.maxOutputLength,
    maxOrder: limits.maxOrder,
  }
  const client = new CalculatorWorkerClient({ timeoutMs: limits.timeoutMs, maxMemoryMb: limits.maxMemoryMb })
  if (options.startWorker !== false) client.start()
  const definition = tool<CalculatorInput, CalculatorResult>({
    name: options.name ?? 'calculator',
    description: options.description ?? defaultDescription,
    inputSchema: createCalculatorInputSchema(limits),
    callback: async (input, context) => {
      const response = await client.run({ input: plainInput(input), limits: engineLimits }, context.signal)
      if (!response.ok) return { status: 'error', content: [{ text: `Error: ${response.message}` }] }
      return { status: 'success', content: [{ text: response.text }, { json: response.json }] }
    },
  })
  const calculatorTool: CalculatorTool = {
    ...definition,
    limits: Object.freeze({ ...limits }),
    warm: () => client.warm(),
    close: () => client.close(),
    [Symbol.asyncDispose]: () => client.close(),
    get workersStarted() {
      return client.workersStarted
    },
  }
  return calculatorTool
}

/** Copies only the known fields, so nothing else the model sent crosses into the worker. */
function plainInput(input: CalculatorInput): CalculatorInput {
  const { expression, mode, precision, variables, wrt, point, order } = input
  return { expression, mode, precision, variables, wrt, point, order }
}

/** The ready `calculator` tool with default limits. Its worker starts in the background and never keeps the process alive. */
export const calculator: CalculatorTool = createCalculatorTool()
