import { checkOutputLength } from './format-result.ts'
import { CalculationError, createLockedMath, type LockedMath, setMaxMatrixElements } from './locked-math.ts'
import { ModeContext, type ModeResult } from './mode-context.ts'
import { deriveMode } from './modes/derive-mode.ts'
import { evaluateMode } from './modes/evaluate-mode.ts'
import { integrateMode } from './modes/integrate-mode.ts'
import { limitMode } from './modes/limit-mode.ts'
import { matrixMode } from './modes/matrix-mode.ts'
import { seriesMode } from './modes/series-mode.ts'
import { solveMode } from './modes/solve-mode.ts'
import type { CalculatorMode, EngineRequest, EngineResponse } from './protocol.ts'

const modes: Record<CalculatorMode, (context: ModeContext) => ModeResult> = {
  evaluate: evaluateMode,
  derive: deriveMode,
  solve: solveMode,
  integrate: integrateMode,
  limit: limitMode,
  series: seriesMode,
  matrix: matrixMode,
}

/** The significant digits of the big-number instance (also the most `precision` may ask for). */
export const bigNumberDigits = 64

/** Owns the locked instances of one worker and answers requests one at a time. */
export class CalculatorEngine {
  private readonly numbers: LockedMath = createLockedMath({ number: 'number' })
  private bigNumbers: LockedMath | undefined

  compute(request: EngineRequest): EngineResponse {
    const { id, input, limits } = request
    const mode = input.mode ?? 'evaluate'
    const run = Object.hasOwn(modes, mode) ? modes[mode] : undefined
    if (run === undefined) {
      return {
        id,
        ok: false,
        message: `Unknown mode "${String(mode)}". Use one of: ${Object.keys(modes).join(', ')}.`,
      }
    }
    setMaxMatrixElements(limits.maxMatrixElements)
    const context = new ModeContext(input, limits, this.numbers, () => {
      this.bigNumbers ??= createLockedMath({ number: 'BigNumber', precision: bigNumberDigits })
      return this.bigNumbers
    })
    try {
      const result = run(context)
      return {
        id,
        ok: true,
        text: checkOutputLength(result.text, limits.maxOutputLength + 1000),
        json: result.json,
      }
    } catch (error) {
      return { id, ok: false, message: describeError(error, mode) }
    }
  }
}

function describeError(error: unknown, mode: string): string {
  if (error instanceof CalculationError) return error.message
  if (error instanceof RangeError) {
    return /call stack/i.test(error.message)
      ? 'The expression recursed too deeply to evaluate; simplify it.'
      : `The calculation failed: ${error.message}.`
  }
  const message = error instanceof Error ? error.message : String(error)
  return `The ${mode} calculation failed: ${message.replace(/\.$/, '')}.`
}
