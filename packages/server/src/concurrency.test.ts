import { Agent } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { createAgentServer } from './agent-routes.js'
import { serve } from './serve.js'
import { parseServerSentEvents } from './test-support/http-client.js'

/** Sockets, servers and timers the process holds: what a leaked stream, connection or ping would leave. */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = { TCPSocketWrap: 0, TCPServerWrap: 0, Timeout: 0 }
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind]!++
  return counts
}

describe('200 concurrent SSE clients', () => {
  it('all complete, each with its own conversation, and nothing is left open afterwards', async () => {
    const before = handleCounts()
    const agents: Agent[] = []
    const app = createAgentServer({
      agent: ({ body }) => {
        const agent = new Agent({
          model: new ScriptedModel([{ content: [{ text: `Answer to ${body.prompt}.` }] }]),
          callbackHandler: null,
        })
        agents.push(agent)
        return agent
      },
      pingIntervalMs: 5000,
    })
    const running = await serve(app, { port: 0, signals: [] })
    const clients = Array.from({ length: 200 }, async (_, index) => {
      const response = await fetch(`${running.url}/stream/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ prompt: `question ${index}` }),
      })
      expect(response.status).toBe(200)
      return parseServerSentEvents(await response.text())
    })
    const streams = await Promise.all(clients)
    streams.forEach((messages, index) => {
      const events = messages.filter((message) => message.event !== undefined)
      expect(events.at(-1)!.event).toBe('result')
      const text = events
        .filter((message) => message.event === 'data')
        .map((message) => JSON.parse(message.data!).data)
        .join('')
      expect(text).toBe(`Answer to question ${index}.`)
    })
    expect(agents).toHaveLength(200)
    expect(new Set(agents).size).toBe(200)
    expect(app.activeStreams).toBe(0)

    await running.close()
    // Client sockets close once the server closed them; then the handle counts are back to where they were.
    await expect.poll(() => handleCounts(), { timeout: 10_000 }).toEqual(before)
    // About 1 s alone; the timeout only guards against a hang on a loaded 2-core CI machine.
  }, 30_000)
})
