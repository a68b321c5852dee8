import { createAgentServer } from '@agent/server'
import { serve } from '@agent/server/node'
import { describe, expect, it, onTestFinished } from 'vitest'
import { GraphBuilder } from './graph-builder.js'
import { answer, hang, scriptedAgent, waitUntil } from './test-support/scripted-agents.js'

async function startGraphServer(
  makeGraph: () => ReturnType<GraphBuilder['build']>,
  omitEvents: 'model_stream'[] = [],
) {
  const app = createAgentServer({ agent: () => makeGraph(), omitEvents })
  const running = await serve(app, { port: 0, signals: [] })
  onTestFinished(() => running.close())
  return running.url
}

const post = (url: string, accept: string, signal?: AbortSignal) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ prompt: 'Write about the sea' }),
    signal,
  })

function parseFrames(text: string): { id?: string; event?: string; data: unknown }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.includes('data: '))
    .map((frame) => {
      const fields = Object.fromEntries(
        frame
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
      )
      return { id: fields.id, event: fields.event, data: JSON.parse(fields.data!) }
    })
}

describe('@agent/server serving a Graph', () => {
  const twoBranches = () => {
    const left = scriptedAgent('left', [answer('Waves roll.')])
    const right = scriptedAgent('right', [answer('Gulls cry.')])
    const join = scriptedAgent('join', [answer('The sea sings.')])
    return new GraphBuilder()
      .addNode(left.agent)
      .addNode(right.agent)
      .addNode(join.agent)
      .addEdge('left', 'join')
      .addEdge('right', 'join')
      .build()
  }

  it('streams the multi-agent events as SSE frames on /stream/events', async () => {
    const url = await startGraphServer(twoBranches)
    const response = await post(`${url}/stream/events`, 'text/event-stream')
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const frames = parseFrames(await response.text())
    expect(frames.every((frame) => frame.event === (frame.data as { type: string }).type)).toBe(true)
    const starts = frames
      .filter((frame) => frame.event === 'multi_agent_node_start')
      .map((frame) => (frame.data as { node_id: string }).node_id)
    expect(starts.slice(0, 2).sort()).toEqual(['left', 'right'])
    expect(starts[2]).toBe('join')
    expect(frames.at(-1)).toMatchObject({
      event: 'multi_agent_result',
      data: { result: { kind: 'graph', status: 'completed', text: 'The sea sings.' } },
    })
    const nested = frames.find((frame) => frame.event === 'multi_agent_node_stream')
    expect(nested?.data).toMatchObject({ event: { type: 'init_event_loop' } })
    expect(frames.map((frame) => Number(frame.id!.split(':')[1]))).toEqual(
      frames.map((_, index) => index + 1),
    )
  })

  it("leaves the nodes' omitted events out (omitEvents: ['model_stream'])", async () => {
    const url = await startGraphServer(twoBranches, ['model_stream'])
    const frames = parseFrames(await (await post(`${url}/stream/events`, 'text/event-stream')).text())
    const inner = frames.map((frame) => (frame.data as { event?: { type: string } }).event?.type)
    expect(inner).toContain('data')
    expect(inner).not.toContain('model_stream')
    expect(frames.at(-1)!.event).toBe('multi_agent_result')
  })

  it("sends the agents' text on /stream and the result on /invoke", async () => {
    const url = await startGraphServer(twoBranches)
    const text = await (await post(`${url}/stream`, 'text/plain')).text()
    // The parallel branches' words interleave as they streamed; the join's answer comes last.
    expect(text.endsWith('The sea sings.')).toBe(true)
    expect(
      text
        .slice(0, -'The sea sings.'.length)
        .split(/\s+|(?<=\.)/)
        .filter(Boolean)
        .sort(),
    ).toEqual(['Gulls', 'Waves', 'cry.', 'roll.'])
    const body = await (await post(`${url}/invoke`, 'application/json')).json()
    expect(body).toMatchObject({ text: 'The sea sings.', kind: 'graph', status: 'completed' })
  })

  it("stops every node's model request when the client disconnects", async () => {
    const left = scriptedAgent('left', [hang])
    const right = scriptedAgent('right', [hang])
    const url = await startGraphServer(() =>
      new GraphBuilder().addNode(left.agent).addNode(right.agent).build(),
    )
    const controller = new AbortController()
    const response = await post(`${url}/stream/events`, 'text/event-stream', controller.signal)
    const reader = response.body!.getReader()
    await reader.read()
    await waitUntil(() => left.model.requests.length > 0 && right.model.requests.length > 0)
    controller.abort()
    await waitUntil(() => left.model.requests[0]!.signal!.aborted && right.model.requests[0]!.signal!.aborted)
    await waitUntil(() => !left.agent.isRunning && !right.agent.isRunning)
  })
})
