/** Messages between the tool (main thread) and the calculator worker. Plain data only. */

export const calculatorModes = [
  'evaluate',
  'derive',
  'solve',
  'integrate',
  'limit',
  'series',
  'matrix',
] as const
export type CalculatorMode = (typeof calculatorModes)[number]

/** A point: a number, or an expression string (`"0"`, `"pi"`, `"oo"`, `"-oo"`: JSON has no infinities). */
export type PointValue = number | string

export interface CalculatorInput {
  expression: string
  mode?: CalculatorMode | undefined
  precision?: number | undefined
  variables?: Record<string, number> | undefined
  wrt?: string | undefined
  point?: PointValue | [PointValue, PointValue] | undefined
  order?: number | undefined
}

/** The limits the worker enforces itself (the deadline and memory are enforced from outside). */
export interface EngineLimits {
  maxExpressionLength: number
  maxNodes: number
  maxDepth: number
  maxMatrixElements: number
  maxOutputLength: number
  maxOrder: number
}

export interface EngineRequest {
  id: number
  input: CalculatorInput
  limits: EngineLimits
}

export type EngineResponse =
  | { id: number; ok: true; text: string; json: EngineJson }
  | { id: number; ok: false; message: string }

export type EngineJson = { [key: string]: EngineJsonValue }
export type EngineJsonValue = string | number | boolean | null | EngineJsonValue[] | EngineJson

/** The first message a worker sends once its mathjs instances are built. */
export interface WorkerReady {
  ready: true
}
