import { tool } from '@agent/core'
import { z } from 'zod'

/**
 * A small local `calculator` tool: arithmetic only (+ - * / % ^ and parentheses), parsed by hand, never
 * evaluated as code. It stands in for `@agent/calculator` until that package lands.
 */
export const calculator = tool({
  name: 'calculator',
  description: 'Evaluates an arithmetic expression such as "2+2" or "(42 + 7) * 3" and returns the number.',
  inputSchema: z.object({ expression: z.string().min(1).max(200).describe('The arithmetic expression') }),
  callback: ({ expression }) => String(evaluate(expression)),
})

export function evaluate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/%^()]|\S/g) ?? []
  let position = 0
  const peek = () => tokens[position]
  const take = () => tokens[position++]

  function sum(): number {
    let value = product()
    while (peek() === '+' || peek() === '-') value = take() === '+' ? value + product() : value - product()
    return value
  }
  function product(): number {
    let value = power()
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const operator = take()
      const right = power()
      if (operator !== '*' && right === 0) throw new Error(`Division by zero in "${expression}".`)
      value = operator === '*' ? value * right : operator === '/' ? value / right : value % right
    }
    return value
  }
  function power(): number {
    const base = unary()
    if (peek() !== '^') return base
    take()
    return base ** power()
  }
  function unary(): number {
    const sign = peek()
    if (sign !== '-' && sign !== '+') return primary()
    take()
    return sign === '-' ? -unary() : unary()
  }
  function primary(): number {
    const token = take()
    if (token === '(') {
      const value = sum()
      if (take() !== ')') throw new Error(`Missing ")" in "${expression}".`)
      return value
    }
    if (token !== undefined && /^\d/.test(token)) return Number(token)
    throw new Error(
      `Unexpected ${token === undefined ? 'end' : `"${token}"`} in "${expression}": use numbers, + - * / % ^ and parentheses.`,
    )
  }

  const value = sum()
  if (position < tokens.length) throw new Error(`Unexpected "${tokens[position]}" in "${expression}".`)
  if (!Number.isFinite(value)) throw new Error(`"${expression}" has no finite value.`)
  return value
}
