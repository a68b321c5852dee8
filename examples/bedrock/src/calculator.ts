import { tool } from '@agent/core'
import { z } from 'zod'

/**
 * A small local `calculator` tool (to be replaced by `@agent/calculator`). It parses arithmetic
 * itself: + - * / ^, parentheses, decimals. No `eval`, so model input can never run code.
 */
export const calculator = tool({
  name: 'calculator',
  description: 'Evaluates an arithmetic expression such as "2+2" or "(3.5 * 4) ^ 2" and returns the number.',
  inputSchema: z.object({
    expression: z.string().max(500).describe('The arithmetic expression to evaluate.'),
  }),
  callback: ({ expression }) => String(evaluate(expression)),
})

export function evaluate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/^()]|\S/g) ?? []
  let position = 0
  const peek = () => tokens[position]
  const take = () => tokens[position++]

  function sum(): number {
    let value = product()
    while (peek() === '+' || peek() === '-') value = take() === '+' ? value + product() : value - product()
    return value
  }
  function product(): number {
    let value = unary()
    while (peek() === '*' || peek() === '/') value = take() === '*' ? value * unary() : value / unary()
    return value
  }
  // Signs bind looser than powers: -2^2 is -(2^2).
  function unary(): number {
    const sign = peek()
    if (sign !== '-' && sign !== '+') return power()
    take()
    return sign === '-' ? -unary() : unary()
  }
  function power(): number {
    const base = primary()
    if (peek() !== '^') return base
    take()
    return base ** unary()
  }
  function primary(): number {
    const token = take()
    if (token === '(') {
      const value = sum()
      if (take() !== ')') throw new Error(`Missing ")" in "${expression}".`)
      return value
    }
    if (token !== undefined && /^\d/.test(token)) return Number(token)
    throw new Error(`Unexpected ${token === undefined ? 'end' : `"${token}"`} in "${expression}".`)
  }

  const value = sum()
  if (position < tokens.length) throw new Error(`Unexpected "${tokens[position]}" in "${expression}".`)
  if (!Number.isFinite(value)) throw new Error(`"${expression}" has no finite value.`)
  return value
}
