import { ModelError } from '@agent/core'
import { collectStream } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { GraphBuilder } from './graph-builder.js'
import { Swarm } from './swarm.js'
import {
  answer,
  handoff,
  hang,
  outline,
  promptText,
  scriptedAgent,
  waitUntil,
} from './test-support/scripted-agents.js'

describe('Swarm', () => {
  it('refuses an oversized handoff with an error result the agent can act on, and hands off once it is smaller', async () => {
    const researcher = scriptedAgent('researcher', [
      handoff('writer', 'Write it up.', { dump: 'x'.repeat(40_000) }),
      handoff('writer', 'Write it up.', { facts: ['sky is blue'] }),
    ])
    const writer = scriptedAgent('writer', [answer('The sky is blue.')])
    const swarm = new Swarm({ agents: [researcher.agent, writer.agent] })
    const { result } = await collectStream(swarm.stream('Tell me about the sky'))
    expect(result).toMatchObject({ status: 'completed', nodeHistory: ['researcher', 'writer'] })
    const refusal = JSON.stringify(researcher.model.requests[1]!.messages.at(-1))
    expect(refusal).toMatch(/handoff context is 40\d{3} characters; keep it under 32000/)
    expect(promptText(writer.model)).not.toContain('xxxx')
  })

  it('hands off with a message and context, streams both agents, and ends with the last answer', async () => {
    const researcher = scriptedAgent(
      'researcher',
      [handoff('writer', 'Write it up.', { facts: ['sky is blue'] })],
      {
        description: 'Finds facts.',
      },
    )
    const writer = scriptedAgent('writer', [answer('The sky is blue.')], { description: 'Writes prose.' })
    const swarm = new Swarm({ agents: [researcher.agent, writer.agent] })
    const { events, result } = await collectStream(swarm.stream('Tell me about the sky'))
    expect(outline(events)).toEqual([
      'start:researcher',
      'stop:researcher:completed',
      'handoff:researcher>writer',
      'start:writer',
      'stop:writer:completed',
      'result:completed',
    ])
    expect(events.find((event) => event.type === 'multi_agent_handoff')).toMatchObject({
      message: 'Write it up.',
    })
    // The researcher's turn ends with the handoff: no second model call.
    expect(researcher.model.requests).toHaveLength(1)
    expect(researcher.model.requests[0]!.toolSpecs!.map((spec) => spec.name)).toEqual(['handoff_to_agent'])
    expect(JSON.stringify(researcher.model.requests[0]!.toolSpecs![0]!.inputSchema)).toContain(
      '"enum":["writer"]',
    )
    const writerPrompt = promptText(writer.model)
    expect(writerPrompt).toContain('Tell me about the sky')
    expect(writerPrompt).toContain('Handed over to you by researcher: Write it up.')
    expect(writerPrompt).toContain('{"researcher":{"facts":["sky is blue"]}}')
    expect(writerPrompt).toContain('- researcher: Finds facts.')
    expect(result).toMatchObject({
      kind: 'swarm',
      status: 'completed',
      text: 'The sky is blue.',
      nodeHistory: ['researcher', 'writer'],
      handoffs: [{ from: 'researcher', to: 'writer', message: 'Write it up.' }],
      sharedContext: { researcher: { facts: ['sky is blue'] } },
      usage: { totalTokens: 30 },
    })
    expect(JSON.parse(JSON.stringify(events))).toEqual(events)
  })

  it('ends a handoff chain past maxHandoffs with max_handoffs', async () => {
    const pingTurns = Array.from({ length: 5 }, () => handoff('pong', 'your turn'))
    const pongTurns = Array.from({ length: 5 }, () => handoff('ping', 'your turn'))
    const ping = scriptedAgent('ping', pingTurns)
    const pong = scriptedAgent('pong', pongTurns)
    const result = await new Swarm({ agents: [ping.agent, pong.agent], maxHandoffs: 3 }).invoke('play')
    expect(result.status).toBe('max_handoffs')
    expect(result.nodeHistory).toEqual(['ping', 'pong', 'ping', 'pong'])
    expect(result.handoffs).toHaveLength(4)
    expect(result.error?.message).toMatch(/3 handoffs/)
  })

  it('ends with max_iterations after that many agent executions', async () => {
    const a = scriptedAgent('a', [handoff('b', 'go'), handoff('b', 'go')])
    const b = scriptedAgent('b', [handoff('a', 'go'), handoff('a', 'go')])
    const result = await new Swarm({ agents: [a.agent, b.agent], maxIterations: 3 }).invoke('x')
    expect(result.status).toBe('max_iterations')
    expect(result.nodeHistory).toEqual(['a', 'b', 'a'])
  })

  it('detects agents handing a task back and forth', async () => {
    const a = scriptedAgent('a', [handoff('b', 'you'), handoff('b', 'you'), handoff('b', 'you')])
    const b = scriptedAgent('b', [handoff('a', 'no, you'), handoff('a', 'no, you')])
    const c = scriptedAgent('c', [])
    const swarm = new Swarm({
      agents: [a.agent, b.agent, c.agent],
      repetitiveHandoffDetection: { window: 4, minUniqueAgents: 3 },
    })
    const result = await swarm.invoke('x')
    expect(result.status).toBe('repetitive_handoff')
    expect(result.nodeHistory).toEqual(['a', 'b', 'a'])
    expect(result.error?.message).toMatch(/back and forth/)
  })

  it('answers a handoff to an unknown agent with an error result the model can act on', async () => {
    const a = scriptedAgent('a', [handoff('nobody', 'help'), answer('did it myself')])
    const b = scriptedAgent('b', [])
    const result = await new Swarm({ agents: [a.agent, b.agent] }).invoke('x')
    expect(result).toMatchObject({ status: 'completed', text: 'did it myself', nodeHistory: ['a'] })
    expect(a.agent.messages[2]!.content[0]).toMatchObject({ toolResult: { status: 'error' } })
  })

  it('fails when an agent fails', async () => {
    const a = scriptedAgent('a', [handoff('b', 'go')])
    const b = scriptedAgent('b', [{ error: new ModelError('provider down', { status: 500 }) }])
    const result = await new Swarm({ agents: [a.agent, b.agent] }).invoke('x')
    expect(result).toMatchObject({
      status: 'failed',
      completedNodes: ['a'],
      failedNodes: ['b'],
      error: { message: expect.stringContaining('provider down') },
    })
  })

  it('stops the working agent when the signal aborts', async () => {
    const a = scriptedAgent('a', [hang])
    const b = scriptedAgent('b', [])
    const controller = new AbortController()
    const outcome = new Swarm({ agents: [a.agent, b.agent] }).invoke('x', { signal: controller.signal })
    await waitUntil(() => a.model.requests.length > 0)
    controller.abort()
    const result = await outcome
    expect(result).toMatchObject({ status: 'cancelled', failedNodes: ['a'] })
    expect(a.model.requests[0]!.signal!.aborted).toBe(true)
  })

  it('stops the working agent when the consumer breaks, and can run again', async () => {
    const a = scriptedAgent('a', [hang, answer('second run')])
    const b = scriptedAgent('b', [])
    const swarm = new Swarm({ agents: [a.agent, b.agent] })
    for await (const event of swarm.stream('x')) {
      if (event.type === 'multi_agent_node_stream' && a.model.requests.length > 0) break
    }
    expect(a.model.requests[0]!.signal!.aborted).toBe(true)
    expect(a.agent.isRunning).toBe(false)
    expect(await swarm.invoke('again')).toMatchObject({ status: 'completed', text: 'second run' })
  })

  it('refuses a second run while one is going', async () => {
    const a = scriptedAgent('a', [answer('one')])
    const swarm = new Swarm({ agents: [a.agent] })
    const first = swarm.stream('x')
    await first.next()
    await expect(swarm.invoke('y')).rejects.toThrow(/already running/)
    await first.return(undefined as never)
  })

  it('ends with timeout when an agent passes nodeTimeoutMs', async () => {
    const a = scriptedAgent('a', [hang])
    const result = await new Swarm({ agents: [a.agent], nodeTimeoutMs: 20 }).invoke('x')
    expect(result).toMatchObject({ status: 'timeout', error: { name: 'NodeTimeoutError' } })
  })

  it('hands off to a nested Graph, whose result ends the swarm', async () => {
    const triage = scriptedAgent('triage', [handoff('pipeline', 'Run the pipeline.')])
    const left = scriptedAgent('left', [answer('L')])
    const right = scriptedAgent('right', [answer('R')])
    const graph = new GraphBuilder().addNode(left.agent).addNode(right.agent).build()
    const swarm = new Swarm({
      agents: [triage.agent, { name: 'pipeline', description: 'Runs two steps.', executor: graph }],
    })
    const { events, result } = await collectStream(swarm.stream('x'))
    expect(result).toMatchObject({ status: 'completed', nodeHistory: ['triage', 'pipeline'] })
    expect(result!.results.pipeline).toMatchObject({
      nodeType: 'graph',
      result: { kind: 'graph', status: 'completed' },
    })
    expect(result!.text.split('\n\n').sort()).toEqual(['L', 'R'])
    const nested = events.find(
      (event) =>
        event.type === 'multi_agent_node_stream' &&
        event.node_id === 'pipeline' &&
        event.event.type === 'multi_agent_node_start',
    )
    expect(nested).toMatchObject({ event: { node_id: 'left', node_type: 'agent' } })
    expect(promptText(left.model)).toContain('Run the pipeline.')
    expect(result!.usage.totalTokens).toBe(45)
  })

  it('runs as a node of a Graph', async () => {
    const a = scriptedAgent('a', [handoff('b', 'finish')])
    const b = scriptedAgent('b', [answer('swarm done')])
    const after = scriptedAgent('after', [answer('after done')])
    const graph = new GraphBuilder()
      .addNode(new Swarm({ agents: [a.agent, b.agent] }), 'team')
      .addNode(after.agent)
      .addEdge('team', 'after')
      .build()
    const { events, result } = await collectStream(graph.stream('x'))
    expect(result).toMatchObject({ status: 'completed', executionOrder: ['team', 'after'] })
    expect(events).toContainEqual(
      expect.objectContaining({
        node_id: 'team',
        event: expect.objectContaining({ type: 'multi_agent_handoff' }),
      }),
    )
    expect(promptText(after.model)).toContain('From team:\nswarm done')
  })

  it('rejects bad options', () => {
    const { agent } = scriptedAgent('a', [])
    expect(() => new Swarm({ agents: [] })).toThrow(/at least one/)
    expect(() => new Swarm({ agents: [agent], entryPoint: 'b' })).toThrow(/Entry point/)
    expect(() => new Swarm({ agents: [agent], maxHandoffs: -1 })).toThrow(RangeError)
  })
})
