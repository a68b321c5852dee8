import type { JsonValue } from '@agent/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCalculatorTool } from './calculator-tool.js'
import { answerOf, callThroughAgent, jsonOf, textOf } from './test-support/call-through-agent.js'

const calculator = createCalculatorTool()
beforeAll(() => calculator.warm(), 30_000)
afterAll(() => calculator.close())

async function answer(input: JsonValue): Promise<string> {
  const { result, text, problems } = await callThroughAgent(calculator, input)
  expect(result.status, text).toBe('success')
  expect(problems).toEqual([])
  return answerOf(result)
}

async function inputError(input: JsonValue): Promise<string> {
  const { result, text, problems } = await callThroughAgent(calculator, input)
  expect(result.status, text).toBe('error')
  expect(problems).toEqual([])
  return text
}

/**
 * Input written the way the Strands `calculator` tool documents it (SymPy spelling: `**` for powers,
 * `point` as a string, `[[a, b], [c, d]]` matrices), one per mode, with the answer that tool gives.
 */
describe('the Strands calculator examples', () => {
  it.each([
    ['evaluate', { expression: '2 * sin(pi/4) + log(e**2)' }, /^3\.41421356237/],
    ['evaluate with variables', { expression: 'x + y', variables: { x: 5, y: 3 } }, /^8$/],
    ['evaluate with precision', { expression: 'sqrt(2)', precision: 4 }, /^1\.414$/],
    ['solve', { expression: 'x**2 + 2*x + 1', mode: 'solve', wrt: 'x' }, /^x = -1$/],
    ['solve an equation', { expression: 'x**2 - 4 = 0', mode: 'solve' }, /x = 2|x = -2/],
    ['derive', { expression: 'sin(x)', mode: 'derive', wrt: 'x', order: 2 }, /^-sin\(x\)$/],
    ['derive at a point', { expression: 'x**3', mode: 'derive', wrt: 'x', point: '2' }, /^12$/],
    ['integrate', { expression: 'x**2 + 2*x', mode: 'integrate', wrt: 'x' }, /x \^ 3 \/ 3/],
    ['limit', { expression: 'sin(x)/x', mode: 'limit', wrt: 'x', point: '0' }, /^1$/],
    ['limit at infinity', { expression: '1/x', mode: 'limit', wrt: 'x', point: 'oo' }, /^0$/],
    ['limit at minus infinity', { expression: 'exp(x)', mode: 'limit', wrt: 'x', point: '-oo' }, /^0$/],
    [
      'series',
      { expression: 'e**x', mode: 'series', wrt: 'x', point: '0', order: 3 },
      /^1 \+ x \+ 1\/2 \* x\^2 \+ 1\/6 \* x\^3$/,
    ],
    ['matrix', { expression: '[[1, 2], [3, 4]]', mode: 'matrix' }, /-2/],
  ])('%s', async (_mode, input, expected) => {
    expect(await answer(input as JsonValue)).toMatch(expected)
  })
})

describe('points and bounds as Strands writes them', () => {
  it('accepts "0" where a number is expected', async () => {
    expect(await answer({ expression: '(1 - cos(x))/x^2', mode: 'limit', point: '0' })).toBe('0.5')
  })

  it('integrates from 0 to pi, with bounds as numbers and expression strings', async () => {
    const { result } = await callThroughAgent(calculator, {
      expression: 'sin(x)',
      mode: 'integrate',
      point: [0, 'pi'],
    })
    expect(answerOf(result)).toBe('2')
    expect(jsonOf(result)).toMatchObject({ lower: 0, upper: 'pi' })
  })

  it('reads every spelling of infinity in bounds', async () => {
    for (const upper of ['oo', '+oo', 'inf', 'Infinity', 'infinity']) {
      expect(await answer({ expression: 'exp(-x)', mode: 'integrate', point: [0, upper] })).toBe('1')
    }
    expect(await answer({ expression: 'exp(-x^2)', mode: 'integrate', point: ['-oo', 'oo'] })).toMatch(
      /^1\.7724538509/,
    )
  })

  it('evaluates a point expression with the given variables', async () => {
    expect(await answer({ expression: 'x^2', mode: 'derive', point: 'a/2', variables: { a: 6 } })).toBe('6')
  })

  it('explains a point that is no constant', async () => {
    const text = await inputError({ expression: 'sin(x)/x', mode: 'limit', point: 'y + 1' })
    expect(text).toMatch(
      /"point" must be a number, an infinity \("oo", "-oo"\) or an expression with a constant value/,
    )
  })

  it('checks a point expression like any expression', async () => {
    const text = await inputError({ expression: 'x', mode: 'limit', point: 'cos.constructor("return 1")()' })
    expect(text).toMatch(/"point" must be/)
  })
})

describe('every validation error says what form is expected', () => {
  it.each([
    [
      { expression: 'x', mode: 'limit', point: true },
      /point: must be a number, an infinity \("oo", "-oo", "Infinity"\) or an expression/,
    ],
    [
      { expression: 'x', mode: 'integrate', point: [0, 1, 2] },
      /point: must be .*\[lower, upper\] such as \[0, "pi"\]/,
    ],
    [{ expression: 'x', mode: 'integrate', point: [0, null] }, /point: must be/],
    [{ expression: 'x', variables: [1, 2] }, /variables: must be an object of names and numbers/],
    [{ expression: 'x', mode: 'derive', wrt: 3 }, /wrt: must be a variable name such as x/],
  ])('%j', async (input, expected) => {
    const text = await inputError(input as JsonValue)
    expect(text).not.toMatch(/(?<!Error): Invalid input/)
    expect(text).toMatch(expected)
  })
})

describe('variable names', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__secret'])(
    'refuses %s',
    async (name) => {
      // Built as a model's JSON would be: `__proto__` as an own key, not a prototype.
      const input = JSON.parse(`{"expression": "1 + 1", "variables": {"${name}": 1}}`) as JsonValue
      expect(await inputError(input)).toMatch(/variables\.\S+: must be a plain name such as x or r/)
    },
  )

  it('refuses a reserved name as wrt', async () => {
    expect(await inputError({ expression: 'x^2', mode: 'derive', wrt: 'constructor' })).toMatch(
      /wrt: must be a plain name/,
    )
  })

  it('still takes a variable named like an Object method only in another case', async () => {
    expect(
      textOf(
        (await callThroughAgent(calculator, { expression: 'ToString + 1', variables: { ToString: 1 } }))
          .result,
      ),
    ).toMatch(/^2/)
  })
})
