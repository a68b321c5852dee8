import { InterruptError, interruptId, tool } from '@agent/core'
import { collectStream, conversationProblems } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { GraphBuilder } from './graph-builder.js'
import { Swarm } from './swarm.js'
import { answer, handoff, outline, scriptedAgent } from './test-support/scripted-agents.js'

function publishTool() {
  const published: string[] = []
  const publish = tool({
    name: 'publish',
    description: 'Publishes a text',
    inputSchema: z.object({ text: z.string() }),
    needsApproval: true,
    callback: ({ text }) => {
      published.push(text)
      return 'published'
    },
  })
  return { publish, published }
}

const publishCall = {
  content: [{ toolUse: { toolUseId: 'p1', name: 'publish', input: { text: 'Sky: blue.' } } }],
}

describe('interrupts in multi-agent runs', () => {
  it('an interrupt in a Swarm agent pauses the swarm; interruptResponse blocks resume that agent and the swarm', async () => {
    const { publish, published } = publishTool()
    const researcher = scriptedAgent('researcher', [handoff('writer', 'Write and publish it.')])
    const writer = scriptedAgent('writer', [publishCall, answer('Published.')])
    writer.agent.tools.add(publish)
    const swarm = new Swarm({ agents: [researcher.agent, writer.agent] })

    const first = await collectStream(swarm.stream('Tell the world about the sky'))
    expect(outline(first.events)).toEqual([
      'start:researcher',
      'stop:researcher:completed',
      'handoff:researcher>writer',
      'start:writer',
      'stop:writer:interrupted',
      'result:interrupted',
    ])
    const id = interruptId('p1', 'approval')
    expect(first.result!.status).toBe('interrupted')
    expect(first.result!.interrupts).toEqual([
      { id, name: 'approval', reason: { tool: 'publish', input: { text: 'Sky: blue.' } } },
    ])
    expect(first.result!.failedNodes).toEqual([])
    expect(published).toEqual([])

    const second = await collectStream(
      swarm.stream([{ interruptResponse: { interruptId: id, response: { approved: true } } }]),
    )
    expect(outline(second.events)).toEqual(['start:writer', 'stop:writer:completed', 'result:completed'])
    expect(second.result!.text).toBe('Published.')
    expect(second.result!.nodeHistory).toEqual(['researcher', 'writer'])
    expect(published).toEqual(['Sky: blue.'])
    // Neither agent was asked again for what it had already done.
    expect(researcher.model.requests).toHaveLength(1)
    expect(writer.model.requests).toHaveLength(2)
    expect(conversationProblems(writer.agent.messages)).toEqual([])

    await expect(
      swarm.invoke([{ interruptResponse: { interruptId: id, response: { approved: true } } }]),
    ).rejects.toSatisfy(InterruptError.isInstance)
  })

  it('a Graph stops with status interrupted and reports the interrupts (it cannot resume them yet)', async () => {
    const { publish, published } = publishTool()
    const writer = scriptedAgent('writer', [publishCall])
    writer.agent.tools.add(publish)
    const graph = new GraphBuilder().addNode(writer.agent).build()
    const result = await graph.invoke('Publish the sky')
    expect(result.status).toBe('interrupted')
    expect(result.interrupts?.map((interrupt) => interrupt.name)).toEqual(['approval'])
    expect(result.error?.message).toMatch(/cannot resume interrupts yet/)
    expect(published).toEqual([])
  })
})
