import { tool } from '@agent/core'

/** A test calculator: one binary operation on two numbers, e.g. `2+2`. */
export const calculator = tool({
  name: 'calculator',
  description: 'Computes one binary arithmetic operation, such as 2+2.',
  inputSchema: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  callback: ({ expression }: { expression: string }) => {
    const match = /^\s*(-?\d+(?:\.\d+)?)\s*([-+*/])\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression)
    if (match === null) throw new Error(`Cannot compute "${expression}": use one operation on two numbers.`)
    const [left, right] = [Number(match[1]), Number(match[3])]
    const operations = { '+': left + right, '-': left - right, '*': left * right, '/': left / right }
    return String(operations[match[2] as keyof typeof operations])
  },
})
