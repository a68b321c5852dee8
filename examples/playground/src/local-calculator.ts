// A stand-in calculator (+ - * / and parentheses, no eval) until @agent/calculator lands.
import { tool } from '@agent/core'

function evaluate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/()]/g) ?? []
  let position = 0
  const peek = () => tokens[position]
  const sum = (): number => {
    let value = product()
    while (peek() === '+' || peek() === '-')
      value = tokens[position++] === '+' ? value + product() : value - product()
    return value
  }
  const product = (): number => {
    let value = unary()
    while (peek() === '*' || peek() === '/')
      value = tokens[position++] === '*' ? value * unary() : value / unary()
    return value
  }
  const unary = (): number => {
    const token = tokens[position++]
    if (token === '-') return -unary()
    if (token === '(') {
      const value = sum()
      if (tokens[position++] !== ')') throw new Error('missing )')
      return value
    }
    if (token === undefined || !/\d/.test(token)) throw new Error(`unexpected ${token ?? 'end'}`)
    return Number(token)
  }
  const value = sum()
  if (position !== tokens.length) throw new Error(`unexpected ${peek()}`)
  return value
}

export const calculator = tool({
  name: 'calculator',
  description: 'Evaluates an arithmetic expression with + - * / and parentheses.',
  inputSchema: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  callback: ({ expression }: { expression: string }) => String(evaluate(expression)),
})
