import { conversationProblems } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectRedis, type RedisClient } from './redis-connection.js'
import { RedisSessionManager } from './redis-session-manager.js'
import { startTestRedis, type TestRedis } from './test-support/redis-server.js'
import { type Replica, startReplica } from './test-support/replicas.js'
import { openEventStream, textOf } from './test-support/sse-client.js'

const leaseMs = 1000
let redis: TestRedis
let client: RedisClient
const started: Replica[] = []

const replica = async (options: { tokens?: number; tokenDelayMs?: number } = {}) => {
  const instance = await startReplica({ redisUrl: redis.url, leaseMs, ...options })
  started.push(instance)
  return instance
}
const sequenceOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1))
const expected = (tokens: number) => Array.from({ length: tokens }, (_, index) => `w${index} `).join('')

/** Resolves when `check` holds, polling; rejects after `timeoutMs`. */
async function eventually<Value>(
  check: () => Value | undefined | Promise<Value | undefined>,
  timeoutMs: number,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs
  while (true) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs} ms.`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

beforeAll(async () => {
  redis = await startTestRedis({ persistent: true })
  client = await connectRedis(redis.url)
})

afterAll(async () => {
  await Promise.all(started.map((instance) => instance.stop()))
  await client?.close()
  await redis?.stop()
})

describe('two replicas on one Redis', () => {
  it('a stream started on A resumes on B with no gap and no duplicate', async () => {
    const [a, b] = await Promise.all([replica({ tokens: 60, tokenDelayMs: 5 }), replica()])
    const first = await openEventStream(a.url, { body: { prompt: 'hi', sessionId: 'resume' } })
    expect(first.status).toBe(200)
    await first.received(10)
    first.cancel()
    const lastId = first.events.at(-1)!.id
    const second = await openEventStream(b.url, { lastEventId: lastId })
    expect(second.status).toBe(200)
    await second.done
    const all = [...first.events, ...second.events]
    expect(all.map((event) => sequenceOf(event.id))).toEqual(all.map((_, index) => index + 1))
    expect(textOf(all)).toBe(expected(60))
    expect(all.at(-1)!.event).toBe('result')
    // Kept for resumes a while, then expired by Redis.
    const ttl = await client.pTTL(`agent:run:{${first.runId}}:events`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60_000)
  })

  it('a stop sent to B ends the run on A, whose model request is closed within a second', async () => {
    const [a, b] = await Promise.all([replica({ tokens: 2000, tokenDelayMs: 10 }), replica()])
    const stream = await openEventStream(a.url, { body: { prompt: 'go', sessionId: 'stop' } })
    await stream.received(5)
    const response = await fetch(`${b.url}/stream/events/${stream.runId}`, { method: 'DELETE' })
    expect(response.status).toBe(204)
    const stoppedAt = Date.now()
    await a.line((line) => line.modelRequest === 'closed-by-client')
    expect(Date.now() - stoppedAt).toBeLessThan(1000)
    await stream.done
    expect(stream.events.length).toBeLessThan(2000)
  })

  it('one session on A and B at once: exactly one runs, the other gets 409, the conversation stays intact', async () => {
    const [a, b] = await Promise.all([
      replica({ tokens: 30, tokenDelayMs: 10 }),
      replica({ tokens: 30, tokenDelayMs: 10 }),
    ])
    const body = { prompt: 'once', sessionId: 'shared' }
    const [one, two] = await Promise.all([openEventStream(a.url, { body }), openEventStream(b.url, { body })])
    expect([one.status, two.status].sort()).toEqual([200, 409])
    const running = one.status === 200 ? one : two
    await running.done
    await (one.status === 200 ? two : one).cancel()
    expect(textOf(running.events)).toBe(expected(30))
    const saved = await eventually(async () => {
      const data = await new RedisSessionManager({ client, sessionId: 'shared' }).load()
      return data?.messages.length === 2 ? data : undefined
    }, 2000)
    expect(saved.messages.map((message) => message.role)).toEqual(['user', 'assistant'])
    expect(conversationProblems(saved.messages)).toEqual([])
  })

  it('kill -9 of A mid-run: B’s reader gets an error frame within the lease, and B continues the session', async () => {
    const [a, b] = await Promise.all([
      replica({ tokens: 5000, tokenDelayMs: 10 }),
      replica({ tokens: 5, tokenDelayMs: 0 }),
    ])
    const first = await openEventStream(a.url, { body: { prompt: 'first', sessionId: 'crash' } })
    await first.received(5)
    first.cancel()
    const follower = await openEventStream(b.url, { lastEventId: first.events.at(-1)!.id })
    await follower.received(3)
    a.child.kill('SIGKILL')
    const killedAt = Date.now()
    await follower.done
    expect(Date.now() - killedAt).toBeLessThan(leaseMs + 500)
    const last = follower.events.at(-1)!
    expect(last.event).toBe('error')
    expect((last.data.error as { message: string }).message).toMatch(/server running this request stopped/)
    // A's session lock expires with its lease; then B takes the session over.
    const next = await eventually(async () => {
      const attempt = await openEventStream(b.url, { body: { prompt: 'second', sessionId: 'crash' } })
      if (attempt.status === 409) {
        attempt.cancel()
        return undefined
      }
      return attempt
    }, leaseMs * 3)
    expect(next.status).toBe(200)
    await next.done
    expect(next.events.at(-1)!.event).toBe('result')
    const saved = await new RedisSessionManager({ client, sessionId: 'crash' }).load()
    expect(saved!.messages.at(-1)!.role).toBe('assistant')
    expect(conversationProblems(saved!.messages)).toEqual([])
  })

  it('Redis restarted mid-run: the run ends with a clear error, saved messages are kept, service resumes', async () => {
    const a = await replica({ tokens: 5000, tokenDelayMs: 10 })
    const stream = await openEventStream(a.url, { body: { prompt: 'cut', sessionId: 'outage2' } })
    await stream.received(5)
    await redis.stop()
    await stream.done
    const last = stream.events.at(-1)!
    expect(last.event).toBe('error')
    expect(JSON.stringify(last.data)).toMatch(/Redis/)
    await a.line((line) => line.modelRequest === 'closed-by-client')
    await redis.start()
    const after = await eventually(async () => {
      const attempt = await openEventStream(a.url, { body: { prompt: 'again', sessionId: 'outage3' } }).catch(
        () => undefined,
      )
      if (attempt === undefined || attempt.status !== 200) {
        attempt?.cancel()
        return undefined
      }
      return attempt
    }, 10_000)
    await after.received(3)
    after.cancel()
    const saved = await eventually(async () => {
      const fresh = await connectRedis(redis.url)
      try {
        return (await new RedisSessionManager({ client: fresh, sessionId: 'outage2' }).load()) ?? undefined
      } finally {
        await fresh.close()
      }
    }, 5000)
    expect(saved.messages[0]).toMatchObject({ role: 'user', content: [{ text: 'cut' }] })
  })
})
