import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { conversationProblems, ScriptedModel, type ScriptedTurn } from '../testing/index.js'
import { tool } from '../tools/tool.js'

const ping = tool({ name: 'ping', description: 'pings', inputSchema: z.object({}), callback: () => 'pong' })

/** A model that always calls `ping` again, each call using the given tokens. */
function loopingModel(usage = { inputTokens: 100, outputTokens: 20, totalTokens: 120 }): ScriptedModel {
  let count = 0
  const turn: ScriptedTurn = () => ({
    content: [{ toolUse: { toolUseId: `t${++count}`, name: 'ping', input: {} } }],
    usage,
  })
  return new ScriptedModel(Array.from({ length: 50 }, () => turn))
}

describe('limits', () => {
  it('maxCycles per agent ends with stop reason max_cycles and a valid conversation', async () => {
    const model = loopingModel()
    const agent = new Agent({ model, tools: [ping], maxCycles: 3, callbackHandler: null })
    const result = await agent.invoke('loop')
    expect(result.stopReason).toBe('max_cycles')
    expect(model.requests).toHaveLength(3)
    expect(result.metrics.cycleCount).toBe(3)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('maxCycles per call overrides the agent', async () => {
    const model = loopingModel()
    const agent = new Agent({ model, tools: [ping], maxCycles: 10, callbackHandler: null })
    expect((await agent.invoke('loop', { maxCycles: 2 })).stopReason).toBe('max_cycles')
    expect(model.requests).toHaveLength(2)
  })

  it('maxTokens.total ends with max_total_tokens once the budget is used', async () => {
    const model = loopingModel()
    const agent = new Agent({ model, tools: [ping], maxTokens: { total: 300 }, callbackHandler: null })
    const result = await agent.invoke('loop')
    expect(result.stopReason).toBe('max_total_tokens')
    // 120 + 120 < 300, 360 ≥ 300: the third call is the last.
    expect(model.requests).toHaveLength(3)
    expect(result.metrics.usage.totalTokens).toBe(360)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('maxTokens.output per call ends with max_output_tokens', async () => {
    const model = loopingModel()
    const agent = new Agent({ model, tools: [ping], maxTokens: { total: 1_000_000 }, callbackHandler: null })
    const result = await agent.invoke('loop', { maxTokens: { output: 50 } })
    expect(result.stopReason).toBe('max_output_tokens')
    expect(model.requests).toHaveLength(3)
    expect(result.metrics.usage.outputTokens).toBe(60)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('a budget does not change a turn that ended by itself', async () => {
    const model = new ScriptedModel([
      { content: [{ text: 'done' }], usage: { inputTokens: 900, outputTokens: 900, totalTokens: 1800 } },
    ])
    const agent = new Agent({ model, maxTokens: { total: 10 }, callbackHandler: null })
    expect((await agent.invoke('Hi')).stopReason).toBe('end_turn')
  })

  it('rejects non-positive budgets', () => {
    expect(() => new Agent({ maxTokens: { total: 0 } })).toThrow(RangeError)
    expect(() => new Agent({ maxTokens: { output: -5 } })).toThrow(RangeError)
  })
})
