import type { MathNode } from 'mathjs'
import { checkOutputLength, checkResultValue, formatValue, lastValue, toJsonValue } from '../format-result.ts'
import { CalculationError } from '../locked-math.ts'
import type { ModeContext, ModeResult } from '../mode-context.ts'
import { normalizeValue } from './evaluate-mode.ts'

/** Friendlier names a model may use in matrix mode. */
const aliases: Record<string, string> = {
  solve: 'lusolve',
  determinant: 'det',
  inverse: 'inv',
  eigenvalues: 'eigs',
}

/**
 * `det(A)`, `inv(A)`, `eigs(A)` / `eigenvalues(A)`, `solve(A, b)`; a bare square matrix gets its
 * determinant, inverse (when it has one) and eigenvalues.
 */
export function matrixMode(context: ModeContext): ModeResult {
  const math = context.math
  const rewrite = (root: MathNode) =>
    root.transform((node) => {
      if (node.type === 'FunctionNode') {
        const call = node as unknown as { fn: MathNode & { name?: string }; args: MathNode[] }
        const alias = call.fn.type === 'SymbolNode' ? aliases[call.fn.name!] : undefined
        if (alias !== undefined) return new math.FunctionNode(new math.SymbolNode(alias), call.args)
      }
      return node
    })
  const { node } = context.parse(context.input.expression, {
    allowFreeSymbols: false,
    allowAssignment: true,
    rewrite,
  })
  const value = normalizeValue(lastValue(node.compile().evaluate(context.scope())))
  if (!math.isMatrix(value) && !Array.isArray(value)) {
    checkResultValue(math, value)
    const answer = formatValue(math, value, context.precision)
    return { text: answer, json: { mode: 'matrix', result: toJsonValue(math, value, context.precision) } }
  }
  const matrix = math.matrix(value as never) as unknown as Parameters<typeof math.det>[0] & {
    size(): number[]
  }
  const size = matrix.size()
  const isCall = unwrap(node).type === 'FunctionNode'
  if (isCall || size.length !== 2 || size[0] !== size[1]) {
    // A solution vector of lusolve is a column: show it as a list.
    const shown = size.length === 2 && size[1] === 1 ? math.flatten(matrix as never) : matrix
    checkResultValue(math, shown)
    const answer = checkOutputLength(
      formatValue(math, shown, context.precision),
      context.limits.maxOutputLength,
    )
    return { text: answer, json: { mode: 'matrix', result: toJsonValue(math, shown, context.precision) } }
  }
  checkResultValue(math, matrix)
  const determinant = math.det(matrix)
  const singular = Math.abs(math.number(determinant as never) as number) < 1e-12
  const inverse = singular ? undefined : math.inv(matrix)
  let eigenvalues: unknown
  try {
    eigenvalues = math.eigs(matrix).values
  } catch (error) {
    throw new CalculationError(`The eigenvalues could not be computed: ${(error as Error).message}.`)
  }
  for (const part of [determinant, inverse, eigenvalues]) if (part !== undefined) checkResultValue(math, part)
  const format = (entry: unknown) => formatValue(math, entry, context.precision)
  const parts = [
    `det = ${format(determinant)}`,
    `inverse = ${inverse === undefined ? 'none (the matrix is singular)' : format(inverse)}`,
    `eigenvalues = ${format(eigenvalues)}`,
  ]
  const answer = checkOutputLength(parts.join('; '), context.limits.maxOutputLength)
  return {
    text: `${answer}\n(${size[0]}×${size[1]} matrix)`,
    json: {
      mode: 'matrix',
      determinant: toJsonValue(math, determinant, context.precision),
      inverse: inverse === undefined ? null : toJsonValue(math, inverse, context.precision),
      eigenvalues: toJsonValue(math, eigenvalues, context.precision),
    },
  }
}

function unwrap(node: MathNode): MathNode {
  let current = node
  while (current.type === 'ParenthesisNode') current = (current as unknown as { content: MathNode }).content
  if (current.type === 'BlockNode') {
    const blocks = (current as unknown as { blocks: { node: MathNode }[] }).blocks
    return unwrap(blocks.at(-1)!.node)
  }
  return current
}
