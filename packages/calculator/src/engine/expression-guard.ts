import type { MathJsInstance, MathNode } from 'mathjs'
import {
  allowedConstants,
  allowedFunctions,
  allowedOperatorFunctions,
  forbiddenNames,
  identifierPattern,
} from './allowed-names.ts'
import { CalculationError } from './locked-math.ts'

export interface GuardOptions {
  math: MathJsInstance
  maxNodes: number
  maxDepth: number
  /** Names given a value by the caller. */
  variables: ReadonlySet<string>
  /** Symbolic modes keep unknown names as symbols; `evaluate` refuses them. */
  allowFreeSymbols: boolean
  /** `x = 3; x^2` is allowed in `evaluate` and `matrix` modes only. */
  allowAssignment: boolean
}

/** How much deeper than the bracket limit the parsed tree may be. */
export const treeDepthFactor = 10

/** Refuses an expression before parsing when it is too long or too deeply bracketed to parse safely. */
export function checkSource(expression: string, maxLength: number, maxDepth: number): void {
  if (expression.trim().length === 0) throw new CalculationError('The expression is empty.')
  if (expression.length > maxLength) {
    throw new CalculationError(
      `The expression is ${expression.length} characters long; the limit is ${maxLength}. Split it into smaller calculations.`,
    )
  }
  let depth = 0
  for (const character of expression) {
    if (character === '(' || character === '[' || character === '{') depth++
    else if (character === ')' || character === ']' || character === '}') depth--
    if (depth > maxDepth) {
      throw new CalculationError(`The expression nests brackets deeper than ${maxDepth} levels.`)
    }
  }
}

/**
 * Walks a parsed expression and throws unless every node is an allowed kind: numbers, booleans,
 * allowed constants, units, variables, operators, calls of allowlisted functions, matrices, ranges,
 * indexing, conditionals and (where allowed) assignment of a value to a plain name. No strings, objects,
 * property access, function definitions or references to functions as values.
 * Returns the free symbols found (names that are neither constants, units nor variables).
 */
export function checkExpression(root: MathNode, options: GuardOptions): Set<string> {
  const assigned = new Set<string>()
  const freeSymbols = new Set<string>()
  let count = 0
  // A long sum (1+2+…+100) is a deep tree without any brackets: allow trees well deeper than brackets.
  const maxTreeDepth = options.maxDepth * treeDepthFactor

  const fail = (message: string): never => {
    throw new CalculationError(message)
  }

  const isNamespaceMember = (name: string): boolean => name in options.math

  const checkName = (name: string, what: string) => {
    if (!identifierPattern.test(name) || forbiddenNames.has(name))
      fail(`The name "${name}" is not allowed as ${what}.`)
  }

  const visit = (node: MathNode, depth: number, inIndex: boolean): void => {
    count++
    if (count > options.maxNodes) {
      fail(`The expression has more than ${options.maxNodes} parts; split it into smaller calculations.`)
    }
    if (depth > maxTreeDepth) fail(`The expression nests deeper than ${maxTreeDepth} levels.`)
    const next = depth + 1
    switch (node.type) {
      case 'ConstantNode': {
        const value = (node as unknown as { value: unknown }).value
        const isNumeric =
          typeof value === 'number' ||
          typeof value === 'boolean' ||
          options.math.isBigNumber(value) ||
          options.math.isFraction(value)
        if (!isNumeric) {
          fail(
            typeof value === 'string'
              ? 'Strings are not allowed in expressions.'
              : `The constant ${String(value)} is not allowed.`,
          )
        }
        return
      }
      case 'SymbolNode': {
        const name = (node as unknown as { name: string }).name
        checkName(name, 'a symbol')
        if (options.variables.has(name) || assigned.has(name)) return
        if (allowedConstants.has(name)) return
        if (inIndex && name === 'end') return
        // Units (cm, b, m) only make sense in arithmetic; in the symbolic modes every name is a symbol.
        if (!options.allowFreeSymbols && options.math.Unit.isValuelessUnit(name)) return
        if (allowedFunctions.has(name)) fail(`The function ${name} can only be called, as ${name}(…).`)
        if (isNamespaceMember(name)) fail(`"${name}" is not available in the calculator.`)
        if (!options.allowFreeSymbols) {
          fail(`Unknown name "${name}": give its value in "variables", or use a symbolic mode.`)
        }
        freeSymbols.add(name)
        return
      }
      case 'OperatorNode': {
        const operator = node as unknown as { fn: string; op: string; args: MathNode[] }
        if (!allowedOperatorFunctions.has(operator.fn)) fail(`The operator "${operator.op}" is not allowed.`)
        for (const argument of operator.args) visit(argument, next, inIndex)
        return
      }
      case 'FunctionNode': {
        const call = node as unknown as { fn: MathNode; args: MathNode[] }
        if (call.fn.type !== 'SymbolNode') fail('Only named functions may be called.')
        const name = (call.fn as unknown as { name: string }).name
        if (!allowedFunctions.has(name)) fail(`The function ${name} is not available in the calculator.`)
        if (options.variables.has(name) || assigned.has(name))
          fail(`"${name}" is a variable, not a function.`)
        count++
        for (const argument of call.args) visit(argument, next, inIndex)
        return
      }
      case 'ParenthesisNode':
        visit((node as unknown as { content: MathNode }).content, next, inIndex)
        return
      case 'ArrayNode':
        for (const item of (node as unknown as { items: MathNode[] }).items) visit(item, next, inIndex)
        return
      case 'RangeNode': {
        const range = node as unknown as { start: MathNode; end: MathNode; step: MathNode | null }
        visit(range.start, next, inIndex)
        visit(range.end, next, inIndex)
        if (range.step) visit(range.step, next, inIndex)
        return
      }
      case 'ConditionalNode': {
        const conditional = node as unknown as {
          condition: MathNode
          trueExpr: MathNode
          falseExpr: MathNode
        }
        visit(conditional.condition, next, inIndex)
        visit(conditional.trueExpr, next, inIndex)
        visit(conditional.falseExpr, next, inIndex)
        return
      }
      case 'RelationalNode': {
        const relation = node as unknown as { params: MathNode[] }
        for (const parameter of relation.params) visit(parameter, next, inIndex)
        return
      }
      case 'BlockNode': {
        if (!options.allowAssignment)
          fail('Several statements are only allowed in evaluate and matrix modes.')
        for (const block of (node as unknown as { blocks: { node: MathNode }[] }).blocks) {
          visit(block.node, next, inIndex)
        }
        return
      }
      case 'AccessorNode': {
        const accessor = node as unknown as { object: MathNode; index: MathNode }
        const index = accessor.index as unknown as { dotNotation: boolean; dimensions: MathNode[] }
        if (index.dotNotation) fail('Property access (a.b) is not allowed.')
        visit(accessor.object, next, inIndex)
        for (const dimension of index.dimensions) visit(dimension, next, true)
        return
      }
      case 'AssignmentNode': {
        if (!options.allowAssignment) fail('Assignments are only allowed in evaluate and matrix modes.')
        const assignment = node as unknown as { object: MathNode; index: MathNode | null; value: MathNode }
        if (assignment.object.type !== 'SymbolNode' || assignment.index !== null) {
          fail('Only plain names may be assigned (x = 3), not parts of matrices or objects.')
        }
        const name = (assignment.object as unknown as { name: string }).name
        checkName(name, 'a variable')
        // A unit name (b, m, g) may be reused as a variable: the scope lives for this call only.
        if (allowedConstants.has(name) || isNamespaceMember(name) || options.variables.has(name)) {
          fail(`"${name}" is a built-in name or a given variable and cannot be reassigned.`)
        }
        visit(assignment.value, next, inIndex)
        assigned.add(name)
        return
      }
      case 'FunctionAssignmentNode':
        fail('Defining functions is not allowed.')
        return
      case 'ObjectNode':
        fail('Objects are not allowed in expressions.')
        return
      default:
        fail(`Expressions of kind ${node.type} are not allowed.`)
    }
  }

  visit(root, 0, false)
  return freeSymbols
}
