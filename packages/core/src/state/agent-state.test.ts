import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { AgentState } from './agent-state.js'

describe('AgentState', () => {
  it('stores JSON values by key and hands out copies', () => {
    const state = new AgentState({ user: { name: 'Ada' } })
    state.set('count', 1)
    state.set('tags', ['a', 'b'])
    expect(state.get('count')).toBe(1)
    expect(state.keys()).toEqual(['user', 'count', 'tags'])
    const user = state.get<{ name: string }>('user')!
    user.name = 'changed'
    expect(state.get('user')).toEqual({ name: 'Ada' })
    const tags = ['x']
    state.set('tags', tags)
    tags.push('y')
    expect(state.get('tags')).toEqual(['x'])
    expect(state.delete('count')).toBe(true)
    expect(state.has('count')).toBe(false)
    expect(state.toJSON()).toEqual({ user: { name: 'Ada' }, tags: ['x'] })
    state.clear()
    expect(state.toJSON()).toEqual({})
  })

  it('rejects what is not JSON, naming the path', () => {
    const state = new AgentState()
    expect(() => state.set('when', new Date() as never)).toThrow(/"when" is an instance of Date/)
    expect(() => state.set('fn', (() => 1) as never)).toThrow(/"fn" is a function/)
    expect(() => state.set('deep', { list: [1, undefined] } as never)).toThrow(
      /"deep.list\[1\]" is undefined/,
    )
    expect(() => state.set('n', Number.NaN)).toThrow(/not a finite number/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => state.set('c', cyclic as never)).toThrow(/circular/)
    expect(() => state.set('', 1)).toThrow(/non-empty/)
    expect(() => new AgentState({ bad: new Map() as never })).toThrow(/Map/)
    expect(state.toJSON()).toEqual({})
  })

  it('is on the agent, usable from tools, and snapshotted in each result', async () => {
    const counter = tool({
      name: 'counter',
      description: 'counts',
      inputSchema: z.object({}),
      callback: (_input, { agent }) => {
        const next = (agent!.state.get<number>('count') ?? 0) + 1
        agent!.state.set('count', next)
        return next
      },
    })
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 't', name: 'counter', input: {} } }] },
      { content: [{ text: 'counted' }] },
    ])
    const agent = new Agent({ model, tools: [counter], state: { count: 41 }, callbackHandler: null })
    const result = await agent.invoke('count')
    expect(result.state).toEqual({ count: 42 })
    agent.state.set('count', 0)
    expect(result.state).toEqual({ count: 42 })
  })
})
