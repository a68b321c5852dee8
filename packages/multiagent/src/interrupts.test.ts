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

  it('an interrupt in a Graph node pauses the graph; the parallel branch and later edges are kept; a resume goes on', async () => {
    const { publish, published } = publishTool()
    const writer = scriptedAgent('writer', [publishCall, answer('Published.')])
    writer.agent.tools.add(publish)
    const checker = scriptedAgent('checker', [answer('Facts checked.')])
    const final = scriptedAgent('final', [answer('All done.')])
    const graph = new GraphBuilder()
      .addNode(writer.agent)
      .addNode(checker.agent)
      .addNode(final.agent)
      .addEdge('writer', 'final')
      .addEdge('checker', 'final')
      .build()

    const first = await graph.invoke('Publish the sky')
    expect(first.status).toBe('interrupted')
    const id = interruptId('p1', 'approval')
    expect(first.interrupts).toEqual([
      { id, name: 'approval', reason: { tool: 'publish', input: { text: 'Sky: blue.' } } },
    ])
    expect(first.error?.message).toMatch(/resume the graph with interruptResponse blocks/)
    expect(first.results.checker?.status).toBe('completed')
    expect(first.skippedNodes).toEqual(['final'])
    expect(published).toEqual([])

    await expect(
      graph.invoke([{ interruptResponse: { interruptId: 'not-an-id', response: { approved: true } } }]),
    ).rejects.toSatisfy(InterruptError.isInstance)

    const second = await collectStream(
      graph.stream([{ interruptResponse: { interruptId: id, response: { approved: true } } }]),
    )
    expect(outline(second.events)).toEqual([
      'start:writer',
      'stop:writer:completed',
      'start:final',
      'stop:final:completed',
      'result:completed',
    ])
    expect(second.result!.text).toBe('All done.')
    expect(second.result!.interrupts).toBeUndefined()
    expect(published).toEqual(['Sky: blue.'])
    // The checker was not run again; the join got both branches' answers.
    expect(checker.model.requests).toHaveLength(1)
    const joinPrompt = JSON.stringify(final.model.requests[0]!.messages)
    expect(joinPrompt).toContain('Published.')
    expect(joinPrompt).toContain('Facts checked.')
    expect(conversationProblems(writer.agent.messages)).toEqual([])

    await expect(
      graph.invoke([{ interruptResponse: { interruptId: id, response: { approved: true } } }]),
    ).rejects.toSatisfy(InterruptError.isInstance)
  })
})
