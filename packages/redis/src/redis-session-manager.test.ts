import { Agent, ConcurrencyError, SessionConflictError, SessionError, tool } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connectRedis, type RedisClient, RedisUnavailableError } from './redis-connection.js'
import { RedisSessionManager } from './redis-session-manager.js'
import { closeSharedRedisClients } from './shared-clients.js'
import { startTestRedis, type TestRedis } from './test-support/redis-server.js'

let redis: TestRedis
let client: RedisClient
let prefix = 0
const keyPrefix = () => `test${++prefix}:`

beforeAll(async () => {
  redis = await startTestRedis()
  client = await connectRedis(redis.url)
})

afterAll(async () => {
  await closeSharedRedisClients()
  await client?.close()
  await redis?.stop()
})

const echo = tool({
  name: 'echo',
  description: 'echoes',
  inputSchema: z.object({ text: z.string() }),
  callback: ({ text }) => text,
})

describe('RedisSessionManager', () => {
  it('persists a conversation that a new agent (another replica) continues', async () => {
    const options = { client, sessionId: 'chat', keyPrefix: keyPrefix() }
    const first = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'hello ada' }] }]),
      sessionManager: new RedisSessionManager(options),
      callbackHandler: null,
    })
    first.state.set('user', 'ada')
    await first.invoke('hi')
    const second = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'still here' }] }]),
      sessionManager: new RedisSessionManager({
        url: redis.url,
        sessionId: 'chat',
        keyPrefix: options.keyPrefix,
      }),
      callbackHandler: null,
    })
    await second.invoke('again')
    expect(second.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
    expect(second.state.get('user')).toBe('ada')
  })

  it('keeps fields of the session document it does not know (e.g. interrupt state)', async () => {
    const session = new RedisSessionManager({ client, sessionId: 's', keyPrefix: keyPrefix() })
    await session.load()
    const data = { messages: [], state: {}, interrupts: { pending: ['x'] } }
    await session.save(data)
    expect(
      await new RedisSessionManager({ client, sessionId: 's', keyPrefix: `test${prefix}:` }).load(),
    ).toEqual(data)
  })

  it('a stale writer gets a SessionConflictError and nothing is overwritten', async () => {
    const options = { client, sessionId: 'race', keyPrefix: keyPrefix() }
    const one = new RedisSessionManager(options)
    const two = new RedisSessionManager(options)
    await one.load()
    await two.load()
    await one.save({ messages: [{ role: 'user', content: [{ text: 'one' }] }], state: {} })
    await expect(two.save({ messages: [], state: { lost: true } })).rejects.toSatisfy(
      SessionConflictError.isInstance,
    )
    expect((await new RedisSessionManager(options).load())?.messages).toHaveLength(1)
    await two.load()
    await two.save({ messages: [], state: { second: true } })
    expect((await new RedisSessionManager(options).load())?.state).toEqual({ second: true })
  })

  it('repairs a conversation saved between a toolUse and its toolResult', async () => {
    const options = { client, sessionId: 'cut', keyPrefix: keyPrefix() }
    const session = new RedisSessionManager(options)
    await session.load()
    await session.save({
      messages: [
        { role: 'user', content: [{ text: 'echo' }] },
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't1', name: 'echo', input: { text: 'a' } } }],
        },
      ],
      state: {},
    })
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'ok' }] }]),
      tools: [echo],
      sessionManager: new RedisSessionManager(options),
      callbackHandler: null,
    })
    await agent.invoke('go on')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('applies the TTL on every save', async () => {
    const session = new RedisSessionManager({
      client,
      sessionId: 'ttl',
      keyPrefix: keyPrefix(),
      ttlSeconds: 120,
    })
    await session.load()
    await session.save({ messages: [], state: {} })
    const ttl = await client.ttl(session.key)
    expect(ttl).toBeGreaterThan(100)
    expect(ttl).toBeLessThanOrEqual(120)
    const forever = new RedisSessionManager({ client, sessionId: 'kept', keyPrefix: keyPrefix() })
    await forever.save({ messages: [], state: {} })
    expect(await client.ttl(forever.key)).toBe(-1)
  })

  it('reports a corrupt session and leaves it untouched', async () => {
    const session = new RedisSessionManager({ client, sessionId: 'bad', keyPrefix: keyPrefix() })
    await client.hSet(session.key, { revision: '3', data: '{"messages": [' })
    await expect(session.load()).rejects.toThrow(/cannot be used: it is not valid JSON/)
    expect(await client.hGet(session.key, 'data')).toBe('{"messages": [')
  })

  it('a Redis that is not running fails clearly at once', async () => {
    const started = Date.now()
    await expect(connectRedis('redis://127.0.0.1:1')).rejects.toSatisfy(
      (error) =>
        error instanceof RedisUnavailableError &&
        /Could not connect to Redis at redis:\/\/127\.0\.0\.1:1/.test(String(error)),
    )
    const session = new RedisSessionManager({ url: 'redis://127.0.0.1:1', sessionId: 'x' })
    await expect(session.load()).rejects.toSatisfy(SessionError.isInstance)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('session lock', () => {
  it('one holder at a time; a second request gets a ConcurrencyError, or waits for the release', async () => {
    const options = { client, sessionId: 'busy', keyPrefix: keyPrefix() }
    const lease = await new RedisSessionManager(options).acquireLock({ leaseMs: 1000 })
    await expect(new RedisSessionManager(options).acquireLock()).rejects.toSatisfy(
      ConcurrencyError.isInstance,
    )
    const waiting = new RedisSessionManager(options).acquireLock({ waitMs: 2000 })
    await lease.release()
    const second = await waiting
    await second.release()
  })

  it('the holder renews its lease; a dead holder’s lease expires', async () => {
    const options = { client, sessionId: 'lease', keyPrefix: keyPrefix() }
    const lease = await new RedisSessionManager(options).acquireLock({ leaseMs: 300 })
    await new Promise((resolve) => setTimeout(resolve, 700))
    await expect(new RedisSessionManager(options).acquireLock()).rejects.toSatisfy(
      ConcurrencyError.isInstance,
    )
    // A replica that died stops renewing: simulate it with a lock set by another client, never renewed.
    await lease.release()
    const other = createClient({ url: redis.url })
    await other.connect()
    await other.set(`${options.keyPrefix}session:{lease}:lock`, 'dead-replica', { PX: 300 })
    await other.close()
    const taken = await new RedisSessionManager(options).acquireLock({ leaseMs: 300, waitMs: 2000 })
    await taken.release()
  })

  it('releases after the invocation and its last save', async () => {
    const options = { client, sessionId: 'run', keyPrefix: keyPrefix() }
    const session = new RedisSessionManager(options)
    const lease = await session.acquireLock({ leaseMs: 1000 })
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'ok' }] }]),
      sessionManager: session,
      callbackHandler: null,
    })
    lease.releaseAfterInvocation(agent)
    await agent.invoke('hi')
    const next = await new RedisSessionManager(options).acquireLock({ waitMs: 1000 })
    await next.release()
    expect(lease.signal.aborted).toBe(false)
  })
})
