import type { MathNode } from 'mathjs'
import { checkOutputLength } from '../format-result.ts'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'

/** The n-th derivative, symbolically; with `point`, also its value there. */
export function deriveMode(context: ModeContext): ModeResult {
  const { node, freeSymbols } = context.parse(context.input.expression, {
    allowFreeSymbols: true,
    allowAssignment: false,
  })
  const variable = context.chooseVariable(freeSymbols)
  const order = context.input.order ?? 1
  if (order > context.limits.maxOrder) {
    throw new CalculationError(`"order" may be at most ${context.limits.maxOrder}.`)
  }
  const derivative = nthDerivative(context, context.substituteVariables(node), variable, order)
  const symbolic = checkOutputLength(context.nodeText(derivative), context.limits.maxOutputLength)
  const label = order === 1 ? `d/d${variable}` : `d^${order}/d${variable}^${order}`
  if (context.input.point === undefined) {
    return {
      text: `${symbolic}\n(${label} of ${context.input.expression})`,
      json: { mode: 'derive', derivative: symbolic, wrt: variable, order },
    }
  }
  const point = context.singlePoint(undefined, 'the value at which to evaluate the derivative')
  const value = context.realFunction(derivative, variable)(point)
  if (!Number.isFinite(value)) {
    throw new CalculationError(`The derivative ${symbolic} is not finite at ${variable} = ${point}.`)
  }
  const answer = context.formatNumber(value)
  return {
    text: `${answer}\n(${label} = ${symbolic}, at ${variable} = ${point})`,
    json: { mode: 'derive', derivative: symbolic, wrt: variable, order, point, value: Number(answer) },
  }
}

export function nthDerivative(
  context: ModeContext,
  node: MathNode,
  variable: string,
  order: number,
): MathNode {
  let current = node
  for (let step = 0; step < order; step++) {
    try {
      current = context.numbers.derivative(current, variable)
    } catch (error) {
      throw new CalculationError(`The derivative could not be found: ${(error as Error).message}.`)
    }
    if (countNodes(current) > context.limits.maxNodes * 4) {
      throw new CalculationError(`The ${step + 1}th derivative grows too large to show; lower "order".`)
    }
  }
  return current
}

function countNodes(node: MathNode): number {
  let count = 0
  node.traverse(() => {
    count++
  })
  return count
}
