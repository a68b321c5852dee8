import { Agent, type JsonValue, OfflineModel } from '@agent/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultCalculatorLimits } from './calculator-limits.js'
import { createCalculatorTool } from './calculator-tool.js'
import { callThroughAgent, textOf } from './test-support/call-through-agent.js'

const calculator = createCalculatorTool({ limits: { maxExpressionLength: 200, maxOrder: 6 } })
const agent = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
beforeAll(() => calculator.warm(), 30_000)
afterAll(() => calculator.close())

/** Asserts an error result whose text matches, with the conversation left valid. */
async function expectInputError(input: JsonValue, message: RegExp) {
  const { result, text, problems } = await callThroughAgent(calculator, input)
  expect(result.status, text).toBe('error')
  expect(text).toMatch(message)
  expect(problems).toEqual([])
}

describe('bad input is an input error, never a silent fallback', () => {
  it.each([
    [
      'an unknown mode',
      { expression: 'x^2', mode: 'differentiate' },
      /mode: must be one of evaluate, derive/,
    ],
    [
      'a variable name that is not an identifier',
      { expression: 'a+1', variables: { 'a-b': 1 } },
      /identifier/,
    ],
    ['a variable name starting with a digit', { expression: '1', variables: { '1x': 1 } }, /identifier/],
    ['a variable named like a function', { expression: 'sin + 1', variables: { sin: 1 } }, /built-in/],
    ['a variable named like a constant', { expression: 'pi', variables: { pi: 3 } }, /built-in/],
    ['a numeric string as a variable value', { expression: 'x+1', variables: { x: '3' } }, /finite number/],
    ['null as a variable value', { expression: 'x+1', variables: { x: null } }, /finite number/],
    ['a matrix as a variable value', { expression: 'x+1', variables: { x: [1, 2] } }, /finite number/],
    ['a missing expression', { mode: 'evaluate' }, /expression/],
    ['an empty expression', { expression: '' }, /expression: must not be empty/],
    ['an expression that is not a string', { expression: 4 }, /expression/],
    ['an expression over the length limit', { expression: `${'1+'.repeat(150)}1` }, /at most 200 characters/],
    ['an unknown field', { expression: '2+2', precison: 3 }, /precison/],
    ['a precision of zero', { expression: '2+2', precision: 0 }, /precision/],
    ['a precision above 64', { expression: '2+2', precision: 100 }, /precision/],
    ['a fractional precision', { expression: '2+2', precision: 2.5 }, /precision/],
    ['an order above the limit', { expression: 'x^2', mode: 'derive', order: 7 }, /order/],
    [
      'a wrt that is not an identifier',
      { expression: 'x^2', mode: 'derive', wrt: 'x y' },
      /wrt: must be an identifier/,
    ],
    ['a point that is not a number', { expression: 'x', mode: 'limit', point: 'zero' }, /point/],
    ['too many bounds', { expression: 'x', mode: 'integrate', point: [0, 1, 2] }, /point/],
  ])('refuses %s', async (_name, input, message) => {
    await expectInputError(input as JsonValue, message)
  })

  it.each([
    ['an unknown name in evaluate mode', { expression: 'y + 1' }, /Unknown name "y".*variables/],
    [
      'a derivative with several unknowns and no wrt',
      { expression: 'a * b', mode: 'derive' },
      /say which one in "wrt"/,
    ],
    [
      'a variable that is also wrt',
      { expression: 'x^2', mode: 'derive', wrt: 'x', variables: { x: 2 } },
      /both "wrt"/,
    ],
    [
      'a single point for a definite integral',
      { expression: 'x', mode: 'integrate', point: 2 },
      /\[lower, upper\]/,
    ],
    ['a pair of points for a limit', { expression: 'x', mode: 'limit', point: [0, 1] }, /one value/],
    ['two equals signs', { expression: 'x = 1 = 2', mode: 'solve' }, /not one equation/],
    ['a syntax error', { expression: '2 +* 3' }, /could not be parsed/],
  ])('explains %s', async (_name, input, message) => {
    await expectInputError(input as JsonValue, message)
  })

  it('shows the model the modes and fields in the tool spec', () => {
    const schema = calculator.toolSpec.inputSchema as {
      properties: Record<string, { enum?: string[] }>
      required: string[]
      additionalProperties: boolean
    }
    expect(schema.required).toEqual(['expression'])
    expect(schema.properties.mode?.enum).toEqual([
      'evaluate',
      'derive',
      'solve',
      'integrate',
      'limit',
      'series',
      'matrix',
    ])
    expect(Object.keys(schema.properties).sort()).toEqual(
      ['expression', 'mode', 'order', 'point', 'precision', 'variables', 'wrt'].sort(),
    )
    expect(schema.additionalProperties).toBe(false)
  })

  it('refuses non-finite numbers that a direct call could pass', async () => {
    for (const input of [
      { expression: 'x + 1', variables: { x: Number.POSITIVE_INFINITY } },
      { expression: 'x + 1', variables: { x: Number.NaN } },
      { expression: 'sin(x)/x', mode: 'limit', point: Number.NaN },
    ]) {
      const result = await agent.tool.calculator!(input as never)
      expect(result.status, JSON.stringify(input)).toBe('error')
      expect(textOf(result)).toContain('Invalid input')
    }
  })

  it('works through agent.tool as well', async () => {
    const result = await agent.tool.calculator!({ expression: '2+2', mode: 'guess' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('mode')
  })
})

describe('a closed calculator', () => {
  it('answers every later call with an error result', async () => {
    const closed = createCalculatorTool()
    await closed.close()
    const { result, text, problems } = await callThroughAgent(closed, { expression: '2+2' })
    expect(result.status).toBe('error')
    expect(text).toContain('was closed')
    expect(problems).toEqual([])
    // The worker started at creation; a closed tool starts no other.
    expect(closed.workersStarted).toBe(1)
  })
})

describe('operator limits', () => {
  it('are validated when the tool is created', () => {
    expect(() => createCalculatorTool({ limits: { timeoutMs: 0 } })).toThrow(TypeError)
    expect(() => createCalculatorTool({ limits: { maxNodes: 1.5 } })).toThrow(/positive integer/)
    expect(() => createCalculatorTool({ limits: { maxWidgets: 3 } as never })).toThrow(
      /Unknown calculator limit/,
    )
    expect(() => createCalculatorTool({ limits: { maxMemoryMb: 32 } })).toThrow(/at least 64/)
  })

  it('fall back to the defaults', () => {
    expect(createCalculatorTool({ limits: { timeoutMs: 300 } }).limits).toEqual({
      ...defaultCalculatorLimits,
      timeoutMs: 300,
    })
    expect(calculator.limits.maxExpressionLength).toBe(200)
  })
})
