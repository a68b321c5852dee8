import type { JsonValue, ToolContext, ToolResult } from '@agent/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCalculatorTool } from './calculator-tool.js'
import { answerOf, callThroughAgent, textOf } from './test-support/call-through-agent.js'

// A short deadline keeps the bomb tests fast; every bomb must end in an error result, not a hang.
const deadlineMs = 400
const calculator = createCalculatorTool({ limits: { timeoutMs: deadlineMs } })
beforeAll(() => calculator.warm(), 30_000)
afterAll(() => calculator.close())

/** Runs the input through an agent and asserts an error result with a valid conversation. */
async function expectRefused(input: JsonValue, message?: RegExp): Promise<string> {
  const { result, text, problems } = await callThroughAgent(calculator, input)
  expect(result.status, text).toBe('error')
  if (message) expect(text).toMatch(message)
  expect(problems).toEqual([])
  return text
}

async function expectAnswer(input: JsonValue, expected: string) {
  const { result, text } = await callThroughAgent(calculator, input)
  expect(result.status, text).toBe('success')
  expect(answerOf(result)).toBe(expected)
}

function directContext(signal = new AbortController().signal): ToolContext {
  return {
    signal,
    toolUse: { toolUseId: 'direct', name: 'calculator', input: {} },
    agent: undefined,
    interrupt: () => {
      throw new Error('the calculator never asks a person')
    },
  }
}

describe('sandbox escapes through constructors, prototypes and the parser', () => {
  it.each([
    ['cos.constructor("return process")()'],
    ['cos["constructor"]("return process")()'],
    ['[1].constructor'],
    ['[1]["constructor"]'],
    ['constructor'],
    ['__proto__'],
    ['x = __proto__'],
    ['toString()'],
    ['hasOwnProperty(1)'],
    ['valueOf'],
    ['f = cos; f(1)'],
    ['sin.name'],
    ['evaluate("1+1")'],
    ['parse("1")'],
    ['compile("1")'],
    ['simplify(1)'],
    ['derivative(1, 1)'],
    ['resolve(1)'],
    ['chain(3)'],
    ['help(sin)'],
    ['reviver'],
    ['map([1, 2], f(x) = x)'],
    ['forEach([1], sin)'],
    ['f(x) = x^2'],
    ['g = f(x) = 1'],
    ['{a: 1}'],
    ['"text"'],
    ["'text'"],
    ['null'],
    ['undefined'],
    ['A = [1, 2]; A.size'],
    ['A = [1, 2]; A[1] = 5'],
    ['pi = 3'],
    ['sin = 3'],
    ['true ? evaluate("1") : 2'],
    ['unit(5, "cm")'],
    ['random()'],
  ])('refuses %s', async (expression) => {
    await expectRefused({ expression })
  })

  it('refuses the same escapes in the symbolic modes', async () => {
    await expectRefused({ expression: 'cos.constructor', mode: 'derive' })
    await expectRefused({ expression: 'evaluate("x")', mode: 'integrate' })
    await expectRefused({ expression: 'constructor = 1', mode: 'solve' })
    await expectRefused({ expression: 'x.constructor', mode: 'limit', point: 0 })
    await expectRefused({ expression: 'import(x)', mode: 'series' })
    await expectRefused({ expression: 'f(x) = x', mode: 'matrix' })
  })
})

describe('instance-changing calls leave the next call unaffected', () => {
  it.each([
    ['createUnit("foo", "5 cm")', { expression: '2 foo' }],
    ['createUnit("cm", "2 m", {override: true})', { expression: '100 cm to m' }],
    ['config({number: "BigNumber", precision: 4})', { expression: '1/3' }],
    ['config({epsilon: 1})', { expression: '1/3' }],
    ['import({pi: 3}, {override: true})', { expression: 'pi' }],
    ['import({add: subtract}, {override: true})', { expression: '2+2' }],
    ['typed.addType({name: "x"})', { expression: '2+2' }],
    ['typed("add", {"number, number": f(a, b) = 0})', { expression: '2+2' }],
    ['Unit.setUnitSystem("us")', { expression: '100 cm to m' }],
  ])('%s', async (attack, check) => {
    await expectRefused({ expression: attack })
    const expected: Record<string, string> = {
      '2 foo': 'error',
      '100 cm to m': '1 m',
      '1/3': '0.33333333333333',
      pi: '3.1415926535898',
      '2+2': '4',
    }
    const outcome = expected[check.expression]!
    if (outcome === 'error') await expectRefused(check, /Unknown name "foo"/)
    else await expectAnswer(check, outcome)
  })

  it('does not carry assignments or variables from one call to the next', async () => {
    await expectAnswer({ expression: 'a = 5; a * 2' }, '10')
    await expectRefused({ expression: 'a + 1' }, /Unknown name "a"/)
    await expectAnswer({ expression: 'r^2', variables: { r: 3 } }, '9')
    await expectRefused({ expression: 'r^2' }, /Unknown name "r"/)
  })
})

describe('CPU bombs end at the deadline; the worker is replaced and the next call works', () => {
  it.each([
    [{ expression: 'combinations(bignumber(10^7), bignumber(5 * 10^6))' }],
    [{ expression: 'tan(x)', mode: 'series', order: 12 }],
  ])('%j', async (input) => {
    const before = calculator.workersStarted
    await expectRefused(input, new RegExp(`took longer than ${deadlineMs} ms and was stopped`))
    expect(calculator.workersStarted).toBe(before + 1)
    await expectAnswer({ expression: '2+2' }, '4')
  })

  it('an aborted call kills the busy worker and the next call works', async () => {
    await calculator.warm()
    const controller = new AbortController()
    const before = calculator.workersStarted
    const pending = calculator.invoke(
      { expression: 'combinations(bignumber(10^7), bignumber(5 * 10^6))' },
      directContext(controller.signal),
    ) as Promise<ToolResult>
    controller.abort()
    const result = await pending
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('cancelled')
    expect(calculator.workersStarted).toBe(before + 1)
    await expectAnswer({ expression: '42+7' }, '49')
  })

  it('calls queued behind a bomb still get their answers', async () => {
    const context = directContext()
    const results = (await Promise.all([
      calculator.invoke({ expression: '1+1' }, context),
      calculator.invoke({ expression: 'factorial(bignumber(10^7))' }, context),
      calculator.invoke({ expression: '2+2' }, context),
      calculator.invoke({ expression: '3+3' }, context),
    ])) as ToolResult[]
    expect(results.map((result) => result.status)).toEqual(['success', 'error', 'success', 'success'])
    expect(results.map((result) => answerOf(result))).toEqual([
      '2',
      `Error: The calculation took longer than ${deadlineMs} ms and was stopped. Simplify it or split it into smaller steps.`,
      '4',
      '6',
    ])
  })
})

describe('memory bombs are refused before they allocate', () => {
  it.each([
    ['zeros(10^5, 10^5)', /zeros would create 10000000000 elements; the limit is 10000/],
    ['ones(10^9)', /ones would create/],
    ['identity(10^6)', /identity would create/],
    ['1:10^12', /range would create/],
    ['range(0, 10^9)', /range would create/],
    ['1:0:5', /range would create infinitely many/],
    ['kron(ones(100, 100), ones(100, 100))', /kron would create 100000000 elements/],
    ['resize([1], [10^5, 10^5])', /resize would create/],
    ['diag(1:5000)', /diag would create 25000000 elements/],
    ['concat(ones(100, 100), ones(100, 100))', /concat would create 20000 elements/],
    ['ones(100, 100)', /characters long; the limit is 10000/],
    ['fraction(3)^(10^5)', /characters long/],
  ])('%s', async (expression, message) => {
    await expectRefused({ expression }, message)
  })

  it('a calculation that outgrows the worker heap kills only the worker', async () => {
    const small = createCalculatorTool({
      limits: { maxMemoryMb: 64, maxMatrixElements: 100_000_000, timeoutMs: 20_000 },
    })
    try {
      await small.warm()
      const before = small.workersStarted
      const { result, text, problems } = await callThroughAgent(small, {
        expression: 'sum(zeros(5000, 5000) + 1)',
      })
      expect(result.status).toBe('error')
      expect(text).toContain('more than the 64 MB memory limit')
      expect(problems).toEqual([])
      expect(small.workersStarted).toBe(before + 1)
      expect(answerOf((await callThroughAgent(small, { expression: '2+2' })).result)).toBe('4')
    } finally {
      await small.close()
    }
  }, 60_000)
})

describe('stack bombs', () => {
  it.each([
    [`${'('.repeat(41)}1${')'.repeat(41)}`, /nests brackets deeper than 40/],
    [`${'sin('.repeat(45)}1${')'.repeat(45)}`, /nests brackets deeper than 40/],
    [`${'-'.repeat(450)}1`, /nests deeper than 400 levels/],
    [`${'2^'.repeat(450)}2`, /nests deeper than 400 levels|more than 500 parts/],
    [Array(166).fill('(1+1)').join('+'), /more than 500 parts/],
  ])('%s', async (expression, message) => {
    await expectRefused({ expression }, message)
  })

  it('a parser overflow on a huge nesting is an error result when the operator lifts the limits', async () => {
    const lax = createCalculatorTool({
      limits: { maxExpressionLength: 400_000, maxDepth: 1_000_000, maxNodes: 1_000_000, timeoutMs: 20_000 },
    })
    try {
      const depth = 100_000
      const { result, text } = await callThroughAgent(lax, {
        expression: `${'('.repeat(depth)}1${')'.repeat(depth)}`,
      })
      expect(result.status).toBe('error')
      expect(text).toMatch(/too deeply/)
      expect(answerOf((await callThroughAgent(lax, { expression: '2+2' })).result)).toBe('4')
    } finally {
      await lax.close()
    }
  }, 60_000)
})

describe('overflow, NaN and Infinity are errors, not answers', () => {
  it.each([
    ['1/0', /infinite/],
    ['-1/0', /infinite/],
    ['0/0', /NaN/],
    ['2^2000', /infinite/],
    ['exp(1000)', /infinite/],
    ['factorial(171)', /infinite/],
    ['log(0)', /infinite/],
    ['Infinity', /infinite/],
    ['[1, 1/0]', /infinite/],
    ['(1 + 2i) / 0', /infinite|NaN/],
    ['bignumber(10)^(10^20)', /infinite/],
    ['5 cm / 0', /infinite/],
  ])('%s', async (expression, message) => {
    await expectRefused({ expression }, message)
  })
})
