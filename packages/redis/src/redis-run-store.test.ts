import { RunStoreError } from '@agent/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectRedis, type RedisClient } from './redis-connection.js'
import { type RedisRunStore, redisRunStore } from './redis-run-store.js'
import { startTestRedis, type TestRedis } from './test-support/redis-server.js'

let redis: TestRedis
let client: RedisClient
let store: RedisRunStore

beforeAll(async () => {
  redis = await startTestRedis()
  client = await connectRedis(redis.url)
  store = redisRunStore({ client, flushMs: 5, maxBatchRecords: 100 })
  await store.ready
})

afterAll(async () => {
  await store?.close()
  await client?.close()
  await redis?.stop()
})

const textRecord = (sequence: number) => ({
  sequence,
  event: { type: 'data', data: `t${sequence} ` } as never,
})

async function commandsProcessed(): Promise<number> {
  const info = await client.info('stats')
  return Number(/total_commands_processed:(\d+)/.exec(info)![1])
}

describe('RedisRunStore', () => {
  it('writes records in batches, and reads them back in order from any sequence', async () => {
    await store.create({ runId: 'batched', retain: true })
    const before = await commandsProcessed()
    for (let sequence = 1; sequence <= 1000; sequence++) {
      const pending = store.append('batched', textRecord(sequence))
      if (pending !== undefined) await pending
    }
    await store.retain('batched')
    const commands = (await commandsProcessed()) - before
    // 10 batches of 100 (a few commands each) and the end: far from one command per record.
    expect(commands).toBeLessThan(100)
    expect(await client.xLen('agent:run:{batched}:events')).toBeLessThanOrEqual(12)
    const read = await store.read('batched', 250)
    expect(read.ended).toBe(true)
    expect(read.records.map((record) => record.sequence)).toEqual(
      Array.from({ length: 750 }, (_, index) => index + 251),
    )
    expect(read.records[0]!.event).toEqual({ type: 'data', data: 't251 ' })
    expect(read.lastSequence).toBe(1000)
  })

  it('a waiting reader wakes when a batch lands', async () => {
    await store.create({ runId: 'waited', retain: true })
    const waited = store.wait('waited', 0)
    store.append('waited', textRecord(1))
    await waited
    expect((await store.read('waited', 0)).records).toHaveLength(1)
    await store.retain('waited')
  })

  it('unknown runs, trimmed records and stops of ended runs', async () => {
    await expect(store.read('missing', 0)).rejects.toSatisfy(
      (error) => RunStoreError.isInstance(error) && error.code === 'not_found',
    )
    expect(await store.info('missing')).toBeUndefined()
    expect(await store.stop('missing')).toBe(false)
    expect(await store.stop('batched')).toBe(false)
    const small = redisRunStore({ client, maxBatchRecords: 1, maxBatchesPerRun: 10, keyPrefix: 'small:' })
    await small.ready
    await small.create({ runId: 'trimmed', retain: true })
    for (let sequence = 1; sequence <= 500; sequence++) await small.append('trimmed', textRecord(sequence))
    await expect(small.read('trimmed', 1)).rejects.toSatisfy(
      (error) => RunStoreError.isInstance(error) && error.code === 'gone',
    )
    await small.retain('trimmed')
    await small.close()
  })

  it('a stop reaches the writer through pub/sub', async () => {
    await store.create({ runId: 'stopped', retain: true })
    const stopped = new Promise<void>((resolve) => store.onStop('stopped', resolve))
    const other = redisRunStore({ client })
    expect(await other.stop('stopped')).toBe(true)
    await stopped
    await store.retain('stopped')
    await other.close()
  })

  it('Redis unreachable at start: ready rejects with a clear error, and requests fail as unavailable', async () => {
    const unreachable = redisRunStore({ url: 'redis://127.0.0.1:1' })
    await expect(unreachable.ready).rejects.toThrow(/Could not connect to Redis at redis:\/\/127\.0\.0\.1:1/)
    await expect(unreachable.info('any')).rejects.toSatisfy(
      (error) => RunStoreError.isInstance(error) && error.code === 'unavailable',
    )
  })
})
