export { type CalculatorLimits, defaultCalculatorLimits } from './calculator-limits.js'
export {
  type CalculatorResult,
  type CalculatorTool,
  type CalculatorToolOptions,
  calculator,
  createCalculatorTool,
} from './calculator-tool.js'
export type { CalculatorInput, CalculatorMode, PointValue } from './engine/protocol.js'
export { calculatorModes } from './engine/protocol.js'
