import { ModelError } from '@agent/core'
import { collectStream } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { GraphBuilder } from './graph-builder.js'
import type { MultiAgentEvent } from './multi-agent-events.js'
import {
  answer,
  hang,
  outline,
  promptText,
  scriptedAgent,
  waitUntil,
} from './test-support/scripted-agents.js'

describe('Graph', () => {
  it('runs nodes in dependency order, streams their events nested, and passes outputs along', async () => {
    const research = scriptedAgent('research', [answer('Facts: the sky is blue.')])
    const write = scriptedAgent('write', [answer('The sky is blue, a poem.')])
    const graph = new GraphBuilder()
      .addNode(research.agent)
      .addNode(write.agent)
      .addEdge('research', 'write')
      .build()
    const { events, result } = await collectStream(graph.stream('Write about the sky'))
    expect(outline(events)).toEqual([
      'start:research',
      'stop:research:completed',
      'start:write',
      'stop:write:completed',
      'result:completed',
    ])
    const nested = events.filter((event) => event.type === 'multi_agent_node_stream')
    expect(nested[0]).toMatchObject({ node_id: 'research', event: { type: 'init_event_loop' } })
    expect(nested.filter((event) => event.node_id === 'write').at(-1)!.event.type).toBe('result')
    expect(promptText(write.model)).toContain('Write about the sky')
    expect(promptText(write.model)).toContain('From research:\nFacts: the sky is blue.')
    expect(result).toMatchObject({
      kind: 'graph',
      status: 'completed',
      text: 'The sky is blue, a poem.',
      executionOrder: ['research', 'write'],
      completedNodes: ['research', 'write'],
      failedNodes: [],
      usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 },
    })
    expect(JSON.parse(JSON.stringify(events))).toEqual(events)
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
    expect(String(result)).toBe('The sky is blue, a poem.')
  })

  it('runs independent branches at once and joins them once', async () => {
    const plan = scriptedAgent('plan', [answer('plan')])
    const left = scriptedAgent('left', [answer('left one two three')], { delayMs: 2 })
    const right = scriptedAgent('right', [answer('right one two three')], { delayMs: 2 })
    const join = scriptedAgent('join', [answer('joined')])
    const graph = new GraphBuilder()
      .addNode(plan.agent)
      .addNode(left.agent)
      .addNode(right.agent)
      .addNode(join.agent)
      .addEdge('plan', 'left')
      .addEdge('plan', 'right')
      .addEdge('left', 'join')
      .addEdge('right', 'join')
      .build()
    const times = new Map<string, number>()
    const events: MultiAgentEvent[] = []
    for await (const event of graph.stream('go')) {
      events.push(event)
      if (event.type === 'multi_agent_node_start') times.set(`start:${event.node_id}`, performance.now())
      if (event.type === 'multi_agent_node_stop') times.set(`stop:${event.node_id}`, performance.now())
    }
    // Each branch started before the other one stopped.
    expect(times.get('start:right')!).toBeLessThan(times.get('stop:left')!)
    expect(times.get('start:left')!).toBeLessThan(times.get('stop:right')!)
    // Their events interleave in the stream as they happened.
    const branchOrder = events
      .filter(
        (event) =>
          event.type === 'multi_agent_node_stream' && event.node_id !== 'plan' && event.node_id !== 'join',
      )
      .map((event) => (event as { node_id: string }).node_id)
    const switches = branchOrder.filter((id, index) => index > 0 && id !== branchOrder[index - 1]).length
    expect(switches).toBeGreaterThan(2)
    expect(join.model.requests).toHaveLength(1)
    expect(promptText(join.model)).toContain('From left:')
    expect(promptText(join.model)).toContain('From right:')
    expect(outline(events).at(-2)).toBe('stop:join:completed')
  })

  it('takes conditional edges from the state so far, and skips the branch not taken', async () => {
    const classify = scriptedAgent('classify', [answer('kind: bug')])
    const bug = scriptedAgent('bug', [answer('fixing the bug')])
    const feature = scriptedAgent('feature', [])
    const seen: string[][] = []
    const graph = new GraphBuilder()
      .addNode(classify.agent)
      .addNode(bug.agent)
      .addNode(feature.agent)
      .addEdge('classify', 'bug', (state) => {
        seen.push([...state.executionOrder])
        return state.results.classify!.text.includes('bug')
      })
      .addEdge('classify', 'feature', (state) => state.results.classify!.text.includes('feature'))
      .build()
    const result = await graph.invoke('triage this')
    expect(seen).toEqual([['classify']])
    expect(result.status).toBe('completed')
    expect(result.executionOrder).toEqual(['classify', 'bug'])
    expect(result.skippedNodes).toEqual(['feature'])
    expect(feature.model.requests).toHaveLength(0)
  })

  it('runs a join with the branches that ran when a condition switched the others off', async () => {
    const start = scriptedAgent('start', [answer('only a')])
    const a = scriptedAgent('a', [answer('from a')])
    const b = scriptedAgent('b', [])
    const end = scriptedAgent('end', [answer('end')])
    const graph = new GraphBuilder()
      .addNode(start.agent)
      .addNode(a.agent)
      .addNode(b.agent)
      .addNode(end.agent)
      .addEdge('start', 'a')
      .addEdge('start', 'b', () => false)
      .addEdge('a', 'end')
      .addEdge('b', 'end')
      .build()
    const result = await graph.invoke('go')
    expect(result.executionOrder).toEqual(['start', 'a', 'end'])
    expect(promptText(end.model)).toContain('From a:')
  })

  it('allows a cycle only under a limit, and ends it with max_node_executions', async () => {
    const makeGraph = (limit: number | undefined, reviews: string[]) => {
      const writer = scriptedAgent(
        'writer',
        reviews.map((_, index) => answer(`draft ${index + 1}`)),
      )
      const reviewer = scriptedAgent('reviewer', reviews.map(answer))
      const builder = new GraphBuilder()
        .addNode(writer.agent)
        .addNode(reviewer.agent)
        .addEdge('writer', 'reviewer')
        .addEdge('reviewer', 'writer', (state) => state.results.reviewer!.text === 'revise')
        .setEntryPoint('writer')
      if (limit !== undefined) builder.setMaxNodeExecutions(limit)
      return builder.build()
    }
    expect(() => makeGraph(undefined, [])).toThrow(/cycle/)
    const approved = await makeGraph(10, ['revise', 'approved']).invoke('write')
    expect(approved.status).toBe('completed')
    expect(approved.executionOrder).toEqual(['writer', 'reviewer', 'writer', 'reviewer'])
    expect(approved.text).toBe('approved')
    const endless = await makeGraph(3, ['revise', 'revise', 'revise']).invoke('write')
    expect(endless.status).toBe('max_node_executions')
    expect(endless.executionOrder).toEqual(['writer', 'reviewer', 'writer'])
    expect(endless.error?.message).toMatch(/3 node executions/)
  })

  it('on a node failure lets running nodes finish, starts no new node, and reports failed', async () => {
    const start = scriptedAgent('start', [answer('go')])
    const broken = scriptedAgent('broken', [{ error: new ModelError('provider down', { status: 500 }) }])
    const slow = scriptedAgent('slow', [answer('slow branch done here')], { delayMs: 2 })
    const afterSlow = scriptedAgent('after_slow', [])
    const afterBroken = scriptedAgent('after_broken', [])
    const graph = new GraphBuilder()
      .addNode(start.agent)
      .addNode(broken.agent)
      .addNode(slow.agent)
      .addNode(afterSlow.agent)
      .addNode(afterBroken.agent)
      .addEdge('start', 'broken')
      .addEdge('start', 'slow')
      .addEdge('slow', 'after_slow')
      .addEdge('broken', 'after_broken')
      .build()
    const { events, result } = await collectStream(graph.stream('go'))
    expect(result).toMatchObject({
      status: 'failed',
      completedNodes: ['start', 'slow'],
      failedNodes: ['broken'],
      skippedNodes: ['after_slow', 'after_broken'],
      error: { message: expect.stringContaining('provider down') },
    })
    expect(outline(events).at(-1)).toBe('result:failed')
    expect(afterSlow.model.requests).toHaveLength(0)
  })

  it('stops every running branch when the signal aborts, and says which nodes finished', async () => {
    const start = scriptedAgent('start', [answer('go')])
    const left = scriptedAgent('left', [hang])
    const right = scriptedAgent('right', [hang])
    const graph = new GraphBuilder()
      .addNode(start.agent)
      .addNode(left.agent)
      .addNode(right.agent)
      .addEdge('start', 'left')
      .addEdge('start', 'right')
      .build()
    const controller = new AbortController()
    const outcome = collectStream(graph.stream('go', { signal: controller.signal }))
    await waitUntil(() => left.model.requests.length > 0 && right.model.requests.length > 0)
    controller.abort()
    const { result } = await outcome
    expect(left.model.requests[0]!.signal!.aborted).toBe(true)
    expect(right.model.requests[0]!.signal!.aborted).toBe(true)
    expect(result).toMatchObject({ status: 'cancelled', completedNodes: ['start'] })
    expect(result!.failedNodes.sort()).toEqual(['left', 'right'])
    expect(result!.results.left!.status).toBe('cancelled')
    expect(left.agent.isRunning || right.agent.isRunning).toBe(false)
  })

  it('stops every running branch when the consumer breaks', async () => {
    const left = scriptedAgent('left', [hang])
    const right = scriptedAgent('right', [hang])
    const graph = new GraphBuilder().addNode(left.agent).addNode(right.agent).build()
    for await (const event of graph.stream('go')) {
      if (
        left.model.requests.length > 0 &&
        right.model.requests.length > 0 &&
        event.type === 'multi_agent_node_stream'
      ) {
        break
      }
    }
    expect(left.model.requests[0]!.signal!.aborted).toBe(true)
    expect(right.model.requests[0]!.signal!.aborted).toBe(true)
    expect(left.agent.isRunning || right.agent.isRunning).toBe(false)
    // The graph can run again (here its agents have no more replies, which fails their nodes).
    const again = await graph.invoke('again')
    expect(again).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/no reply scripted/) },
    })
  })

  it('ends with timeout when a node passes its deadline', async () => {
    const slow = scriptedAgent('slow', [hang])
    const graph = new GraphBuilder().addNode(slow.agent).setNodeTimeout(20).build()
    const result = await graph.invoke('go')
    expect(result.status).toBe('timeout')
    expect(result.results.slow).toMatchObject({ status: 'failed', error: { name: 'NodeTimeoutError' } })
    expect(slow.model.requests[0]!.signal!.aborted).toBe(true)
  })

  it('ends with timeout when the run passes its deadline', async () => {
    const slow = scriptedAgent('slow', [hang])
    const graph = new GraphBuilder().addNode(slow.agent).setExecutionTimeout(20).build()
    const result = await graph.invoke('go')
    expect(result).toMatchObject({ status: 'timeout', error: { name: 'ExecutionTimeoutError' } })
  })

  it('runs function nodes, streaming what they yield', async () => {
    const write = scriptedAgent('write', [answer('written')])
    const graph = new GraphBuilder()
      .addNode(async function* (input) {
        yield { type: 'custom' as const, data: { step: 1 } }
        return { words: String(input.task).split(' ').length }
      }, 'count')
      .addNode(write.agent)
      .addNode((input) => `checked: ${input.results.write!.text}`, 'check')
      .addEdge('count', 'write')
      .addEdge('write', 'check')
      .build()
    const { events, result } = await collectStream(graph.stream('three words here'))
    expect(events[1]).toMatchObject({ node_id: 'count', event: { type: 'custom', data: { step: 1 } } })
    expect(promptText(write.model)).toContain('From count:\n{"words":3}')
    expect(result).toMatchObject({ status: 'completed', text: 'checked: written' })
    expect(result!.results.count!.result).toEqual({ words: 3 })
  })

  it('fails a function node that throws or ignores its deadline', async () => {
    const graph = new GraphBuilder()
      .addNode(() => {
        throw new TypeError('bad input')
      }, 'throws')
      .build()
    expect(await graph.invoke('go')).toMatchObject({
      status: 'failed',
      error: { name: 'TypeError', message: 'bad input' },
    })
    const stuck = new GraphBuilder()
      .addNode(() => new Promise<string>(() => {}), 'stuck')
      .setNodeTimeout(20)
      .build()
    expect(await stuck.invoke('go')).toMatchObject({ status: 'timeout' })
  })

  it('rejects bad definitions at build time', () => {
    const { agent } = scriptedAgent('a', [])
    expect(() => new GraphBuilder().build()).toThrow(/at least one node/)
    expect(() => new GraphBuilder().addNode(agent).addNode(agent, 'b')).toThrow(/same executor/)
    expect(() => new GraphBuilder().addNode(agent).addEdge('a', 'missing')).toThrow(/no node/)
    expect(() => new GraphBuilder().addNode(agent, 'bad id')).toThrow(/invalid/)
    expect(() => new GraphBuilder().setMaxNodeExecutions(0)).toThrow(RangeError)
  })
})
