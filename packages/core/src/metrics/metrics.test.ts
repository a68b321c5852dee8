import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { ModelThrottledError } from '../errors/model-error.js'
import { BackoffRetryStrategy } from '../retry/retry-strategy.js'
import { ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { renderMetricsSummary } from './metrics-summary.js'

const ok = tool({ name: 'ok', description: '', inputSchema: z.object({}), callback: () => 'fine' })
const broken = tool({
  name: 'broken',
  description: '',
  inputSchema: z.object({}),
  callback: () => {
    throw new Error('nope')
  },
})

function scenario() {
  const model = new ScriptedModel([
    { error: new ModelThrottledError('slow down') },
    {
      content: [
        { toolUse: { toolUseId: 'a', name: 'ok', input: {} } },
        { toolUse: { toolUseId: 'b', name: 'ok', input: {} } },
        { toolUse: { toolUseId: 'c', name: 'broken', input: {} } },
      ],
      usage: { inputTokens: 100, outputTokens: 30, totalTokens: 130, cacheReadInputTokens: 80 },
    },
    { content: [{ text: 'done' }], usage: { inputTokens: 200, outputTokens: 10, totalTokens: 210 } },
  ])
  return new Agent({
    model,
    tools: [ok, broken],
    retryStrategy: new BackoffRetryStrategy({ sleep: async () => {} }),
    callbackHandler: null,
  })
}

describe('result.metrics', () => {
  it('has cycles, per-cycle and total usage, tool counts and durations, latency and first byte', async () => {
    const { metrics } = await scenario().invoke('go')
    expect(metrics).toMatchObject({
      cycleCount: 2,
      modelCallCount: 3,
      throttleCount: 1,
      contextReductionCount: 0,
      usage: { inputTokens: 300, outputTokens: 40, totalTokens: 340, cacheReadInputTokens: 80 },
      tools: {
        ok: { callCount: 2, successCount: 2, errorCount: 0 },
        broken: { callCount: 1, successCount: 0, errorCount: 1 },
      },
    })
    expect(metrics.cycles.map((cycle) => [cycle.cycle, cycle.usage.totalTokens])).toEqual([
      [1, 130],
      [2, 210],
    ])
    // The scripted model reports latencyMs 1 per call in its metadata.
    expect(metrics.latencyMs).toBe(2)
    expect(metrics.timeToFirstByteMs).toBeGreaterThanOrEqual(0)
    expect(metrics.tools.ok!.totalDurationMs).toBeGreaterThanOrEqual(metrics.tools.ok!.maxDurationMs)
    expect(metrics.durationMs).toBeGreaterThan(0)
  })

  it('stays plain JSON: the summary method is not enumerable', async () => {
    const { metrics } = await scenario().invoke('go')
    const copy = JSON.parse(JSON.stringify(metrics))
    expect(copy).toEqual({ ...metrics })
    expect(Object.keys(metrics)).not.toContain('summary')
  })

  it('summary() renders cycles, tokens, latency and tools', async () => {
    const { metrics } = await scenario().invoke('go')
    const summary = metrics.summary()
    expect(summary).toContain('Cycles: 2 (model calls: 3, throttled retries: 1, context reductions: 0)')
    expect(summary).toContain('Tokens: 340 total = 300 input + 40 output (cache: 80 read, 0 written)')
    expect(summary).toMatch(/cycle 1: 100 in \/ 30 out/)
    expect(summary).toMatch(/ok: 2 call\(s\), 2 ok, 0 failed, avg [\d.]+ ms, max [\d.]+ ms/)
    expect(summary).toMatch(/broken: 1 call\(s\), 0 ok, 1 failed/)
    expect(renderMetricsSummary(JSON.parse(JSON.stringify(metrics)))).toBe(summary)
  })
})
