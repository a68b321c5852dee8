import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, type AgentEvent, type Interrupt } from '@agent/core'
import { FileSessionManager } from '@agent/core/file-session'
import { conversationProblems } from '@agent/core/testing'
import { expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { createAgentServer } from './agent-routes.js'
import { serve } from './serve.js'
import { parseServerSentEvents } from './test-support/http-client.js'
import { LoopbackModelServer, textEvents, toolUseEvents } from './test-support/loopback-model-server.js'
import { removalTool } from './test-support/removal-tool.js'

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

/** A server whose agents keep their sessions in files; every request gets a new agent, as after a restart. */
async function startSessionServer() {
  const modelServer = await LoopbackModelServer.start()
  const directory = await mkdtemp(join(tmpdir(), 'server-sessions-'))
  const { remove, removed } = removalTool()
  const makeAgent = (sessionId: string) =>
    new Agent({
      model: modelServer.model(),
      tools: [remove],
      sessionManager: new FileSessionManager({ sessionId, directory }),
      callbackHandler: null,
    })
  const app = createAgentServer({
    body: z.object({ prompt: z.string(), sessionId: z.string() }),
    agent: ({ body }) => makeAgent(body.sessionId),
    sessionAgent: ({ sessionId }) => makeAgent(sessionId),
  })
  const running = await serve(app, { port: 0, signals: [], gracePeriodMs: 100 })
  onTestFinished(async () => {
    await running.close()
    await modelServer.close()
    await rm(directory, { recursive: true, force: true })
  })
  return { url: running.url, modelServer, removed, makeAgent }
}

it('JSON: /invoke reports the interrupts, the session lists them, /resume continues the run in a new agent', async () => {
  const { url, modelServer, removed, makeAgent } = await startSessionServer()
  modelServer.script(
    { events: toolUseEvents('t1', 'remove', { path: 'a.txt' }) },
    { events: textEvents('Removed.') },
  )

  const invoked = (await (
    await post(`${url}/invoke`, { prompt: 'remove a.txt', sessionId: 's1' })
  ).json()) as {
    stopReason: string
    interrupts: Interrupt[]
  }
  expect(invoked.stopReason).toBe('interrupt')
  expect(invoked.interrupts).toHaveLength(1)
  const [interrupt] = invoked.interrupts
  expect(interrupt).toMatchObject({ name: 'approval', reason: { tool: 'remove', input: { path: 'a.txt' } } })

  const listed = await fetch(`${url}/sessions/s1/interrupts`)
  expect(await listed.json()).toEqual({ sessionId: 's1', interrupts: invoked.interrupts })

  const wrong = await post(`${url}/sessions/s1/resume`, {
    responses: [{ interruptId: 'nope', response: true }],
  })
  expect(wrong.status).toBe(400)
  expect(((await wrong.json()) as { error: { name: string } }).error.name).toBe('InterruptError')
  expect(removed).toEqual([])

  const resumed = await post(`${url}/sessions/s1/resume`, {
    responses: [{ interruptId: interrupt!.id, response: { approved: true } }],
  })
  expect(resumed.status).toBe(200)
  expect(await resumed.json()).toMatchObject({ stopReason: 'end_turn', text: 'Removed.' })
  expect(removed).toEqual(['a.txt'])
  expect(await (await fetch(`${url}/sessions/s1/interrupts`)).json()).toEqual({
    sessionId: 's1',
    interrupts: [],
  })

  const restored = makeAgent('s1')
  await restored.restoreSession()
  expect(conversationProblems(restored.messages)).toEqual([])
})

it('SSE: the run sends an interrupt frame, and /resume streams the rest with Accept: text/event-stream', async () => {
  const { url, modelServer, removed } = await startSessionServer()
  modelServer.script(
    { events: toolUseEvents('t1', 'remove', { path: 'b.txt' }) },
    { events: textEvents('Kept it.') },
  )

  const first = await post(`${url}/stream/events`, { prompt: 'remove b.txt', sessionId: 's2' })
  const events = parseServerSentEvents(await first.text()).filter((message) => message.data !== undefined)
  const frame = events.find((message) => message.event === 'interrupt')!
  const interrupt = (JSON.parse(frame.data!) as Extract<AgentEvent, { type: 'interrupt' }>).interrupt
  const result = JSON.parse(events.at(-1)!.data!) as Extract<AgentEvent, { type: 'result' }>
  expect(result.result.stopReason).toBe('interrupt')
  expect(result.result.interrupts).toEqual([interrupt])

  const resumed = await post(
    `${url}/sessions/s2/resume`,
    { responses: [{ interruptId: interrupt.id, response: { approved: false, reason: 'b is needed' } }] },
    { accept: 'text/event-stream' },
  )
  expect(resumed.headers.get('content-type')).toContain('text/event-stream')
  const types = parseServerSentEvents(await resumed.text()).flatMap((message) =>
    message.event === undefined ? [] : [message.event],
  )
  expect(types).toContain('tool_result')
  expect(types.at(-1)).toBe('result')
  expect(removed).toEqual([])
  const sentToModel = JSON.stringify((await modelServer.request(1)).body.messages)
  expect(sentToModel).toContain('b is needed')
})

it('text: /stream says that the run is waiting', async () => {
  const { url, modelServer } = await startSessionServer()
  modelServer.script({ events: toolUseEvents('t1', 'remove', { path: 'c' }) })
  const text = await (await post(`${url}/stream`, { prompt: 'remove c', sessionId: 's3' })).text()
  expect(text).toMatch(/^Interrupt: approval \([0-9a-f-]{36}\)\n$/)
})

it('refuses a malformed session id (400), a resume with nothing pending (400) and an empty body (422)', async () => {
  const { url } = await startSessionServer()
  const traversal = await fetch(`${url}/sessions/..%2F..%2Fetc/interrupts`)
  expect(traversal.status).toBe(400)
  const nothing = await post(`${url}/sessions/fresh/resume`, {
    responses: [{ interruptId: 'x', response: 1 }],
  })
  expect(nothing.status).toBe(400)
  expect(((await nothing.json()) as { detail: string }).detail).toMatch(/no pending interrupt/)
  const empty = await post(`${url}/sessions/fresh/resume`, { responses: [] })
  expect(empty.status).toBe(422)
})
