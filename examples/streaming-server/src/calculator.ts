import { tool } from '@agent/core'
import { z } from 'zod'

// ─── PLACEHOLDER ────────────────────────────────────────────────────────────────────────────────
// A small local stand-in for `@agent/calculator`, which is being written in parallel. Once it is
// merged, delete this file and use `import { calculator } from '@agent/calculator'` in app.ts.
// ────────────────────────────────────────────────────────────────────────────────────────────────

/** Evaluates + - * / % ^ and parentheses on decimal numbers, without `eval`. */
export function evaluateArithmetic(expression: string): number {
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
    let value = unary()
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const operator = take()
      const right = unary()
      value = operator === '*' ? value * right : operator === '/' ? value / right : value % right
    }
    return value
  }
  // Unary minus binds looser than ^, so -2^2 is -4, as in mathematics.
  function unary(): number {
    if (peek() === '-' || peek() === '+') {
      const sign = take() === '-' ? -1 : 1
      return sign * unary()
    }
    return power()
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
      if (take() !== ')') throw new Error('a closing parenthesis is missing')
      return value
    }
    if (token !== undefined && /^\d/.test(token)) return Number(token)
    throw new Error(token === undefined ? 'the expression ends too early' : `unexpected "${token}"`)
  }

  const value = sum()
  if (position < tokens.length) throw new Error(`unexpected "${tokens[position]}"`)
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number')
  return value
}

export const calculator = tool({
  name: 'calculator',
  description: 'Evaluates an arithmetic expression (+ - * / % ^ and parentheses) and returns the number.',
  inputSchema: z.object({ expression: z.string().max(1000).describe('For example "2 + 2 * (3 - 1)"') }),
  callback: ({ expression }) => String(evaluateArithmetic(expression)),
})
