import { Agent, type JsonValue, OfflineModel, type ToolResult } from '@agent/core'
import { conversationProblems } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCalculatorTool } from './calculator-tool.js'
import { answerOf, jsonOf, textOf } from './test-support/call-through-agent.js'

const calculator = createCalculatorTool()
const agent = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
// Loading mathjs in the worker takes about a second: do it once, outside any test's timeout.
beforeAll(() => calculator.warm(), 30_000)
afterAll(() => calculator.close())

async function calculate(input: JsonValue): Promise<ToolResult> {
  return agent.tool.calculator!(input)
}

async function answer(input: JsonValue): Promise<string> {
  const result = await calculate(input)
  expect(result.status, textOf(result)).toBe('success')
  return answerOf(result)
}

describe('the seed examples', () => {
  it('answers "Calculate 2+2" with 4 through the offline model', async () => {
    const seed = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
    const result = await seed.invoke('Calculate 2+2')
    expect(String(result)).toContain('2+2 = 4')
    expect(conversationProblems(seed.messages)).toEqual([])
  })

  it('answers "What is 42+7?" with 49', async () => {
    const seed = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
    expect(String(await seed.invoke('What is 42+7?'))).toContain('42+7 = 49')
  })

  it('returns the plain answer on the first line and the value as JSON', async () => {
    const result = await calculate({ expression: '2+2' })
    expect(result.status).toBe('success')
    expect(result.content[0]).toEqual({ text: '4' })
    expect(jsonOf(result)).toEqual({ mode: 'evaluate', result: 4, text: '4' })
  })
})

describe('evaluate mode', () => {
  it.each([
    [{ expression: '42+7' }, '49'],
    [{ expression: '0.1 + 0.2' }, '0.3'],
    [{ expression: '2^10 * 3 - 1' }, '3071'],
    [{ expression: 'pi', precision: 5 }, '3.1416'],
    [{ expression: '1/3', precision: 30 }, '0.333333333333333333333333333333'],
    [{ expression: 'bignumber(2)^100' }, '1267650600228229401496703205376'],
    [{ expression: 'fraction(1, 3) + fraction(1, 6)' }, '1/2'],
    [{ expression: 'fraction(1, 3)', precision: 20 }, '1/3'],
    [{ expression: 'sqrt(-4)' }, '2i'],
    [{ expression: '(2 + 3i) * (1 - i)' }, '5 + i'],
    [{ expression: '5 cm to inch', precision: 4 }, '1.969 inch'],
    [{ expression: '[1, 2; 3, 4] * [5; 6]' }, '[[17], [39]]'],
    [{ expression: 'det([1, 2; 3, 4])' }, '-2'],
    [{ expression: 'pi * r^2', variables: { r: 2 }, precision: 6 }, '12.5664'],
    [{ expression: 'a = 3; b = a^2; a + b' }, '12'],
    [{ expression: '3 > 2' }, 'true'],
    [{ expression: 'sum(1:100)' }, '5050'],
    [{ expression: '123456789 * 1000' }, '123456789000'],
    [{ expression: Array.from({ length: 100 }, (_, index) => index + 1).join('+') }, '5050'],
    [{ expression: `${'-'.repeat(100)}7` }, '7'],
  ])('%j → %s', async (input, expected) => {
    expect(await answer(input)).toBe(expected)
  })

  it('describes numbers of every kind in the JSON block', async () => {
    expect(jsonOf(await calculate({ expression: 'fraction(-1, 4)' })).result).toEqual({
      type: 'Fraction',
      numerator: '-1',
      denominator: '4',
      value: -0.25,
    })
    expect(jsonOf(await calculate({ expression: '1 + 2i' })).result).toEqual({
      type: 'Complex',
      re: 1,
      im: 2,
    })
    expect(jsonOf(await calculate({ expression: '2 km to m' })).result).toMatchObject({
      type: 'Unit',
      value: 2000,
      unit: 'm',
    })
    expect(jsonOf(await calculate({ expression: '[1, 2] * 2' })).result).toEqual([2, 4])
    expect(jsonOf(await calculate({ expression: '1/7', precision: 3 })).result).toBe(0.143)
    expect(jsonOf(await calculate({ expression: '1/7', precision: 20 })).result).toEqual({
      type: 'BigNumber',
      value: '0.14285714285714285714',
    })
  })
})

describe('derive mode', () => {
  it('differentiates symbolically', async () => {
    expect(await answer({ expression: 'x^2 * sin(x)', mode: 'derive' })).toBe(
      '2 * x * sin(x) + x ^ 2 * cos(x)',
    )
  })

  it('takes the n-th derivative and evaluates it at a point', async () => {
    const result = await calculate({ expression: 'x^3', mode: 'derive', order: 2, point: 2 })
    expect(answerOf(result)).toBe('12')
    expect(jsonOf(result)).toMatchObject({ derivative: '6 * x', order: 2, value: 12 })
  })

  it('differentiates with respect to wrt and keeps other names symbolic', async () => {
    expect(await answer({ expression: 'x * y^2', mode: 'derive', wrt: 'y' })).toBe('2 * x * y')
  })

  it('substitutes given variables', async () => {
    expect(await answer({ expression: 'a * x^2', mode: 'derive', variables: { a: 3 } })).toBe('6 * x')
  })
})

describe('solve mode', () => {
  it('solves a quadratic exactly', async () => {
    const result = await calculate({ expression: 'x^2 - 3x + 2 = 0', mode: 'solve' })
    expect(answerOf(result)).toBe('x = 1 or x = 2')
    expect(textOf(result)).toContain('polynomial of degree 2')
    expect(jsonOf(result)).toMatchObject({ method: 'polynomial', solutions: [1, 2] })
  })

  it('gives complex roots', async () => {
    expect(await answer({ expression: 'x^2 + 1', mode: 'solve' })).toBe('x = i or x = -i')
  })

  it('solves a quintic through its companion matrix', async () => {
    const result = await calculate({ expression: 'x^5 - x - 1 = 0', mode: 'solve' })
    expect(answerOf(result)).toMatch(/^x = 1\.1673039782614 or /)
    expect(textOf(result)).toContain('companion matrix')
  })

  it('solves a linear system', async () => {
    const result = await calculate({ expression: '2x + y = 3; x - y = 0', mode: 'solve' })
    expect(answerOf(result)).toBe('x = 1, y = 1')
    expect(jsonOf(result)).toMatchObject({ method: 'linear system', solution: { x: 1, y: 1 } })
  })

  it('finds a numeric root of another equation and says so', async () => {
    const result = await calculate({ expression: 'cos(x) = x', mode: 'solve' })
    expect(answerOf(result)).toBe('x = 0.739085133215')
    expect(textOf(result)).toContain('numeric')
  })

  it('reports an equation without solution', async () => {
    const result = await calculate({ expression: 'x = x + 1', mode: 'solve' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('no solution')
  })

  it('says when every value solves the equation', async () => {
    const result = await calculate({ expression: '2x = x + x', mode: 'solve' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('Every value')
  })

  it('refuses a non-linear system', async () => {
    const result = await calculate({ expression: 'x * y = 2; x + y = 3', mode: 'solve' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('not linear')
  })
})

describe('integrate mode', () => {
  it('finds an antiderivative symbolically', async () => {
    expect(await answer({ expression: 'x^2', mode: 'integrate' })).toBe('x ^ 3 / 3 + C')
    expect(await answer({ expression: '3 * cos(2x + 1) + exp(x) + 1/x', mode: 'integrate' })).toMatch(
      / \+ C$/,
    )
  })

  it('integrates definitely and numerically', async () => {
    const result = await calculate({ expression: 'x^2', mode: 'integrate', point: [0, 3] })
    expect(answerOf(result)).toBe('9')
    expect(textOf(result)).toContain('numeric')
  })

  it('integrates over infinite bounds and an integrable singularity', async () => {
    expect(
      await answer({ expression: 'exp(-x^2)', mode: 'integrate', point: ['-Infinity', 'Infinity'] }),
    ).toBe('1.77245385091')
    expect(await answer({ expression: '1/sqrt(x)', mode: 'integrate', point: [0, 1] })).toBe('2')
  })

  it('says clearly when no symbolic antiderivative is found', async () => {
    const result = await calculate({ expression: 'exp(-x^2)', mode: 'integrate' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('No symbolic antiderivative')
  })

  it('knows the arctangent rule', async () => {
    expect(await answer({ expression: '1/(1 + x^2)', mode: 'integrate' })).toBe('atan(x) + C')
  })

  it('reports a divergent definite integral', async () => {
    const result = await calculate({ expression: '1/x', mode: 'integrate', point: [-1, 1] })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('may diverge')
    const infinite = await calculate({ expression: 'sin(x)', mode: 'integrate', point: [0, 'Infinity'] })
    expect(textOf(infinite)).toContain('did not converge')
  })
})

describe('limit mode', () => {
  it.each([
    [{ expression: 'sin(x)/x', mode: 'limit', point: 0 }, '1'],
    [{ expression: '(1 - cos(x))/x^2', mode: 'limit', point: 0 }, '0.5'],
    [{ expression: '(1 + 1/x)^x', mode: 'limit', point: 'Infinity' }, '2.71828182846'],
    [{ expression: 'x^2 + 1', mode: 'limit', point: 2 }, '5'],
    [{ expression: 'x * log(x)', mode: 'limit', point: 0 }, '0'],
  ])('%j → %s', async (input, expected) => {
    expect(await answer(input)).toBe(expected)
  })

  it('reports a divergent limit and differing one-sided limits', async () => {
    const divergent = await calculate({ expression: '1/x^2', mode: 'limit', point: 0 })
    expect(divergent.status).toBe('error')
    expect(textOf(divergent)).toContain('Infinity')
    const jump = await calculate({ expression: 'sign(x)', mode: 'limit', point: 0 })
    expect(textOf(jump)).toContain('differ')
  })

  it('needs a point', async () => {
    expect(textOf(await calculate({ expression: 'sin(x)', mode: 'limit' }))).toContain('point')
  })
})

describe('series mode', () => {
  it('expands around 0 with exact coefficients', async () => {
    expect(await answer({ expression: 'exp(x)', mode: 'series', order: 4 })).toBe(
      '1 + x + 1/2 * x^2 + 1/6 * x^3 + 1/24 * x^4',
    )
    expect(await answer({ expression: 'sin(x)', mode: 'series', order: 9 })).toBe(
      'x - 1/6 * x^3 + 1/120 * x^5 - 1/5040 * x^7 + 1/362880 * x^9',
    )
  })

  it('expands around another point', async () => {
    expect(await answer({ expression: 'log(x)', mode: 'series', point: 1, order: 3 })).toBe(
      '(x - 1) - 1/2 * (x - 1)^2 + 1/3 * (x - 1)^3',
    )
  })

  it('refuses a point where the function is not defined', async () => {
    const result = await calculate({ expression: '1/x', mode: 'series' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('another point')
  })
})

describe('matrix mode', () => {
  it('analyses a square matrix', async () => {
    const result = await calculate({ expression: '[2, 1; 1, 3]', mode: 'matrix' })
    expect(answerOf(result)).toBe(
      'det = 5; inverse = [[0.6, -0.2], [-0.2, 0.4]]; eigenvalues = [1.3819660112501, 3.6180339887499]',
    )
    expect(jsonOf(result)).toMatchObject({
      determinant: 5,
      inverse: [
        [0.6, -0.2],
        [-0.2, 0.4],
      ],
    })
  })

  it('solves, inverts and finds eigenvalues on request', async () => {
    expect(await answer({ expression: 'solve([2, 1; 1, 3], [3, 5])', mode: 'matrix' })).toBe('[0.8, 1.4]')
    expect(await answer({ expression: 'eigenvalues([2, 0; 0, 3])', mode: 'matrix' })).toBe('[2, 3]')
    expect(await answer({ expression: 'inverse([4, 0; 0, 2])', mode: 'matrix' })).toBe(
      '[[0.25, 0], [0, 0.5]]',
    )
  })

  it('refuses an overflowing determinant', async () => {
    const result = await calculate({ expression: '[1e200, 0; 0, 1e200]', mode: 'matrix' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('infinite')
  })

  it('says when a matrix is singular', async () => {
    expect(await answer({ expression: '[1, 2; 2, 4]', mode: 'matrix' })).toContain('inverse = none')
    const result = await calculate({ expression: 'inv([1, 2; 2, 4])', mode: 'matrix' })
    expect(result.status).toBe('error')
  })
})
