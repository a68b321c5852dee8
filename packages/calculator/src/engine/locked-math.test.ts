import { describe, expect, it } from 'vitest'
import { CalculatorEngine } from './compute.ts'
import { createLockedMath } from './locked-math.ts'
import type { CalculatorInput, EngineLimits } from './protocol.ts'

const limits: EngineLimits = {
  maxExpressionLength: 1000,
  maxNodes: 500,
  maxDepth: 40,
  maxMatrixElements: 10_000,
  maxOutputLength: 10_000,
  maxOrder: 12,
}

describe('the locked mathjs instance (defence behind the allowlist)', () => {
  const locked = createLockedMath({ number: 'number' })
  const math = locked.math as unknown as Record<string, (...args: unknown[]) => unknown>

  it.each(['import', 'createUnit', 'config', 'evaluate', 'parse', 'compile', 'chain', 'help'])(
    'replaces %s with a stub that throws',
    (name) => {
      expect(() => math[name]!({ pi: 3 }, { override: true })).toThrow(
        `${name} is disabled in the calculator.`,
      )
    },
  )

  it('keeps the captured parser and symbolic helpers working', () => {
    expect(locked.parse('x^2').compile().evaluate({ x: 3 })).toBe(9)
    expect(locked.derivative(locked.parse('x^3'), 'x').toString()).toBe('3 * x ^ 2')
    expect(locked.simplify(locked.parse('x + x')).toString()).toBe('2 * x')
  })

  it('keeps parser ranges inclusive while checking their size', () => {
    expect(locked.parse('1:3').compile().evaluate().toArray()).toEqual([1, 2, 3])
    expect(() => locked.parse('1:20000').compile().evaluate()).toThrow(/range would create 20000 elements/)
    expect(() => math.zeros!(200, 200)).toThrow(/zeros would create 40000 elements/)
  })

  it('stays unchanged after the stubs were called', () => {
    expect(() => math.import!({ pi: 3 }, { override: true })).toThrow()
    expect(locked.math.pi).toBe(Math.PI)
    expect(() => math.config!({ number: 'BigNumber' })).toThrow()
    expect(locked.parse('1/3').compile().evaluate()).toBe(1 / 3)
  })
})

describe('the engine', () => {
  const engine = new CalculatorEngine()
  const compute = (input: CalculatorInput) => engine.compute({ id: 1, input, limits })

  it('answers with the request id', () => {
    expect(engine.compute({ id: 42, input: { expression: '2+2' }, limits })).toMatchObject({
      id: 42,
      ok: true,
      text: '4',
    })
  })

  it('refuses an unknown mode even when the schema was bypassed', () => {
    expect(compute({ expression: '1', mode: 'guess' as never })).toMatchObject({
      ok: false,
      message: expect.stringContaining('Unknown mode "guess"'),
    })
    expect(compute({ expression: '1', mode: 'constructor' as never })).toMatchObject({ ok: false })
  })

  it('gives each call a fresh scope', () => {
    expect(compute({ expression: 'a = 2; a' })).toMatchObject({ ok: true, text: '2' })
    expect(compute({ expression: 'a' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('Unknown name "a"'),
    })
  })

  it('applies each request its own matrix limit', () => {
    expect(engine.compute({ id: 1, input: { expression: 'size(zeros(50, 50))' }, limits })).toMatchObject({
      ok: true,
    })
    expect(
      engine.compute({
        id: 2,
        input: { expression: 'size(zeros(50, 50))' },
        limits: { ...limits, maxMatrixElements: 100 },
      }),
    ).toMatchObject({ ok: false, message: 'zeros would create 2500 elements; the limit is 100.' })
  })
})
