import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, BeforeInvocationEvent } from '@agent/core'
import { FileSessionManager } from '@agent/core/file-session'
import { ScriptedModel } from '@agent/core/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import { InMemoryRunStore } from './in-memory-run-store.js'
import type { RunStore } from './run-store.js'
import { startAgentServer } from './test-support/agent-server-fixture.js'
import { openStream, parseServerSentEvents } from './test-support/http-client.js'
import { textEvents } from './test-support/loopback-model-server.js'

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

const connectionString = 'postgres://admin:hunter2@db.internal:5432/prod'

describe('only text the SDK wrote reaches a client', () => {
  it("a hook's error (a connection string, a path) stays in the log under the error id", async () => {
    const { url, logged } = await startAgentServer({
      routes: {
        agent: () => {
          const agent = new Agent({
            model: new ScriptedModel([{ content: [{ text: 'unused' }] }]),
            callbackHandler: null,
          })
          agent.hooks.add(BeforeInvocationEvent, () => {
            throw new Error(`could not reach ${connectionString} from /srv/app/hooks/audit.ts`)
          })
          return agent
        },
      },
    })
    for (const path of ['/invoke', '/stream', '/stream/events']) {
      const response = await post(`${url}${path}`, { prompt: 'Hi' })
      const text = await response.text()
      expect([path, response.status]).toEqual([path, 500])
      expect(text).not.toContain('hunter2')
      expect(text).not.toContain('/srv/app')
      const body = JSON.parse(text) as { detail: string; error: { name: string; errorId: string } }
      expect(body.error.name).toBe('HookError')
      expect(body.detail).toBe(
        `A hook failed while running the agent; the server log has the details. (error id ${body.error.errorId})`,
      )
    }
    expect(logged).toHaveLength(3)
    expect(String((logged[0] as Error).message)).toContain('hunter2')
  })

  it('a session that cannot be read or saved does not show its paths or its content', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-server-session-'))
    onTestFinished(() => rm(directory, { recursive: true, force: true }))
    // A corrupt file: the parse error quotes its content.
    await writeFile(join(directory, 'corrupt.json'), `{"secret":"${connectionString}"`)
    const { url, logged } = await startAgentServer({
      routes: {
        agent: ({ body }) =>
          new Agent({
            model: new ScriptedModel([{ content: [{ text: 'unused' }] }]),
            sessionManager: new FileSessionManager({ sessionId: body.prompt, directory }),
            callbackHandler: null,
          }),
      },
    })
    const corrupt = await post(`${url}/invoke`, { prompt: 'corrupt' })
    const text = await corrupt.text()
    expect(corrupt.status).toBe(500)
    expect(JSON.parse(text).error.name).toBe('SessionError')
    expect(text).not.toContain(directory)
    expect(text).not.toContain('hunter2')
    expect(String((logged[0] as Error).message)).toContain(directory)
  })
})

describe('runs are bound to their owner', () => {
  it('resume and stop by another owner (or by nobody) get 404; the owner may do both', async () => {
    const { url, modelServer } = await startAgentServer({ routes: { reconnectGraceMs: 60_000 } })
    modelServer.script({ events: textEvents('private answer that goes on'), pauseAt: 3 })
    const alice = { authorization: 'Bearer alice-token' }
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' }, headers: alice })
    await stream.waitFor((text) => text.includes('event: data'))
    const runId = stream.headers['x-run-id'] as string
    const firstId = parseServerSentEvents(stream.text).find((message) => message.id !== undefined)!.id!
    const others: Record<string, string>[] = [
      {},
      { authorization: 'Bearer mallory-token' },
      { cookie: 'session=mallory' },
    ]
    for (const headers of others) {
      const resumed = await fetch(`${url}/stream/events`, {
        headers: { ...headers, 'last-event-id': firstId },
      })
      expect(resumed.status).toBe(404)
      const stopped = await fetch(`${url}/stream/events/${runId}`, { method: 'DELETE', headers })
      expect(stopped.status).toBe(404)
    }
    const resumed = await openStream(`${url}/stream/events`, {
      headers: { ...alice, 'last-event-id': firstId },
    })
    expect(resumed.status).toBe(200)
    resumed.disconnect()
    expect((await fetch(`${url}/stream/events/${runId}`, { method: 'DELETE', headers: alice })).status).toBe(
      204,
    )
    expect(await (await modelServer.request(0)).ended).toBe('closed-by-client')
  })

  it('lets the app supply the owner (e.g. its session id)', async () => {
    const { url, modelServer } = await startAgentServer({
      routes: { runOwner: ({ request }) => request.headers.get('x-user') ?? undefined },
    })
    modelServer.script({ events: textEvents('a b') })
    const response = await post(`${url}/stream/events`, { prompt: 'Hi' }, { 'x-user': 'ada' })
    const lastId = parseServerSentEvents(await response.text()).find((message) => message.id !== undefined)!
      .id!
    const other = await fetch(`${url}/stream/events`, {
      headers: { 'x-user': 'bob', 'last-event-id': lastId },
    })
    expect(other.status).toBe(404)
    const owner = await fetch(`${url}/stream/events`, {
      headers: { 'x-user': 'ada', 'last-event-id': lastId },
    })
    expect(owner.status).toBe(200)
    await owner.text()
  })
})

describe('retained runs are capped by bytes', () => {
  it('drops the oldest finished runs once their events pass maxRetainedBytes', async () => {
    const store = new InMemoryRunStore({ maxRetainedBytes: 20_000 })
    const { url, modelServer } = await startAgentServer({ routes: { runStore: store } })
    const firstIds: string[] = []
    for (let index = 0; index < 8; index++) {
      modelServer.script({ events: textEvents('word '.repeat(40)) })
      const response = await post(`${url}/stream/events`, { prompt: 'Hi' })
      firstIds.push(
        parseServerSentEvents(await response.text()).find((message) => message.id !== undefined)!.id!,
      )
      expect(store.retainedBytes).toBeLessThanOrEqual(20_000)
    }
    expect(store.retainedBytes).toBeGreaterThan(0)
    // The oldest are gone, the newest is kept.
    expect((await fetch(`${url}/stream/events`, { headers: { 'last-event-id': firstIds[0]! } })).status).toBe(
      410,
    )
    const newest = await fetch(`${url}/stream/events`, { headers: { 'last-event-id': firstIds.at(-1)! } })
    expect(newest.status).toBe(200)
    await newest.text()
  })

  it('the default fits a small container', () => {
    const store = new InMemoryRunStore()
    const event = { type: 'data', data: 'x', delta: { text: 'x' } } as const
    for (let run = 0; run < 40; run++) {
      store.create({ runId: `run-${run}`, retain: true })
      for (let sequence = 1; sequence <= 2000; sequence++) {
        store.append(`run-${run}`, { sequence, event: { ...event, data: 'x'.repeat(1000) } as never })
      }
      store.retain(`run-${run}`)
    }
    expect(store.retainedBytes).toBeLessThanOrEqual(64 * 1024 * 1024)
    expect(store.size).toBeLessThan(40)
  })
})

describe('the RunStore seam', () => {
  it('serves every agent route from the store it is given', async () => {
    const calls: string[] = []
    const inner = new InMemoryRunStore()
    const store: RunStore = {
      create: (run) => {
        calls.push('create')
        return inner.create(run)
      },
      append: (runId, record) => {
        calls.push('append')
        return inner.append(runId, record)
      },
      retain: (runId) => {
        calls.push('retain')
        return inner.retain(runId)
      },
      read: async (runId, after) => {
        calls.push('read')
        return inner.read(runId, after)
      },
      wait: (runId, after, signal) => inner.wait(runId, after, signal),
      info: async (runId) => {
        calls.push('info')
        return inner.info(runId)
      },
      stop: async (runId) => {
        calls.push('stop')
        return inner.stop(runId)
      },
      onStop: (runId, listener) => inner.onStop(runId, listener),
      sweep: () => inner.sweep(),
    }
    const { url, modelServer } = await startAgentServer({
      routes: { runStore: store, reconnectGraceMs: 60_000 },
    })
    modelServer.script({ events: textEvents('plain text') })
    expect(await (await post(`${url}/stream`, { prompt: 'Hi' })).text()).toBe('plain text')
    modelServer.script({ events: textEvents('nd json') })
    const ndjson = await post(`${url}/stream`, { prompt: 'Hi' }, { accept: 'application/x-ndjson' })
    expect((await ndjson.text()).split('\n').filter(Boolean).length).toBeGreaterThan(3)
    expect(calls.filter((call) => call === 'create')).toHaveLength(2)
    modelServer.script({ events: textEvents('server sent events'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes('event: data'))
    const runId = stream.headers['x-run-id'] as string
    calls.length = 0
    const resumed = await openStream(`${url}/stream/events`, { headers: { 'last-event-id': `${runId}:1` } })
    await resumed.waitFor((text) => text.includes('event: data'))
    expect(calls).toContain('info')
    expect(calls).toContain('read')
    expect((await fetch(`${url}/stream/events/${runId}`, { method: 'DELETE' })).status).toBe(204)
    expect(calls).toContain('stop')
    await stream.done
    await resumed.done
    expect(calls).toContain('retain')
  })
})
