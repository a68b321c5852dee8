import { type RunInfo, type RunRead, type RunRecord, type RunStore, RunStoreError } from '@agent/server'
import { defaultKeyPrefix } from './key-names.js'
import { describeRedisFailure, type RedisClient, type RedisConnectionOptions } from './redis-connection.js'
import { type RunKeys, replicaKey, runKeys } from './run-keys.js'
import { clientFor } from './shared-clients.js'
import {
  AnnouncedRecords,
  announcement,
  BatchBuffer,
  recordsOfEntries,
  sequenceOfId,
} from './stream-records.js'

export type RedisRunStoreOptions = RedisConnectionOptions & {
  /** Prefix of every key. Default `agent:`. */
  keyPrefix?: string
  /**
   * A replica that stopped renewing its presence for this long is dead: readers of its runs get an
   * `error` frame. Default 10 000 ms.
   */
  leaseMs?: number
  /** How long a finished SSE run stays readable for `Last-Event-ID` resumes. Default 60 000 ms. */
  retainMs?: number
  /** A run's keys expire this long after it started if it never ends (its replica died). Default 3600 s. */
  runTtlSeconds?: number
  /** Records are written at most this long after they were produced. Default 5 ms. */
  flushMs?: number
  /** Or as soon as this many are waiting. Default 256. */
  maxBatchRecords?: number
  /** Stream entries (batches) kept per run, about; older ones are trimmed (a resume from there gets 410). Default 1000. */
  maxBatchesPerRun?: number
}

interface WrittenRun {
  keys: RunKeys
  buffer: BatchBuffer
  timer: ReturnType<typeof setTimeout> | undefined
  /** The write in flight; batches are written one at a time, in order. */
  writing: Promise<void> | undefined
  failure: RunStoreError | undefined
  retain: boolean
  /** Whether the stream's TTL is set (with its first batch). */
  expiring: boolean
  stopListeners: Set<() => void>
  readListeners: Set<(sequence: number) => void>
  onControl: (message: string) => void
}

interface WatchedRun {
  waiters: Set<() => void>
  onWake: (message: string) => void
  /** True once subscribed: from then on every batch is announced, and `announced` is up to date. */
  live: boolean
  /** The last sequence announced on the wake channel; `Infinity` once the run ended. */
  announced: number
  /** Set when a wait ended without news: the next empty read checks that the writer is alive. */
  check: boolean
  /** The records that came with the announcements, for this replica's readers. */
  recent: AnnouncedRecords
  /** A subscription (or its removal) in flight. */
  subscribing: Promise<unknown>
}

/** Sent to a reader of a run whose replica died. */
const writerGoneError = {
  name: 'RunWriterGone',
  message:
    'The server running this request stopped before it finished. The conversation is kept; send the request again.',
}
const unavailableError = {
  name: 'RunStoreUnavailable',
  message: 'The connection to Redis was lost, so this request was stopped. Send it again shortly.',
}

/**
 * A `RunStore` on Redis, for many `@agent/server` replicas: a run's records go to a Redis Stream in
 * batches (`flushMs` or `maxBatchRecords`, never a round trip per token) that any replica reads for a
 * `Last-Event-ID` resume; readers wait on pub/sub; a stop (or a read from another replica, which keeps the
 * run going) reaches the writer on pub/sub. A replica renews its presence key; a reader whose writer
 * stopped renewing ends the run with an `error` frame, within the lease.
 */
export class RedisRunStore implements RunStore {
  readonly replicaId = globalThis.crypto.randomUUID()
  /** Resolves once connected; rejects with a clear error when Redis cannot be reached. */
  readonly ready: Promise<void>
  private readonly prefix: string
  private readonly leaseMs: number
  private readonly retainMs: number
  private readonly runTtlMs: number
  private readonly flushMs: number
  private readonly maxBatchRecords: number
  private readonly maxBatches: number
  private client!: RedisClient
  private subscriber!: RedisClient
  private ownsClient = false
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private startupFailure: RunStoreError | undefined
  private readonly written = new Map<string, WrittenRun>()
  private readonly watched = new Map<string, WatchedRun>()
  /** The replica running each run this replica read, as far as it knows. */
  private readonly writers = new Map<string, string>()

  constructor(options: RedisRunStoreOptions) {
    this.prefix = options.keyPrefix ?? defaultKeyPrefix
    this.leaseMs = Math.max(100, options.leaseMs ?? 10_000)
    this.retainMs = Math.max(1000, options.retainMs ?? 60_000)
    this.runTtlMs = Math.max(1, options.runTtlSeconds ?? 3600) * 1000
    this.flushMs = Math.max(0, options.flushMs ?? 5)
    this.maxBatchRecords = Math.max(1, options.maxBatchRecords ?? 256)
    this.maxBatches = Math.max(10, options.maxBatchesPerRun ?? 1000)
    this.ready = this.connect(options)
    // Awaited by whoever starts the server; a failure also reaches every request as `unavailable`.
    this.ready.catch(() => {})
  }

  private async connect(options: RedisConnectionOptions): Promise<void> {
    try {
      this.ownsClient = options.client === undefined
      this.client = options.client ?? (await clientFor(options))
      this.subscriber = this.client.duplicate()
      this.subscriber.on('error', () => {})
      await this.subscriber.connect()
      await this.renewPresence()
      this.heartbeat = setInterval(() => void this.renewPresence().catch(() => {}), this.leaseMs / 4)
      this.heartbeat.unref?.()
    } catch (error) {
      this.startupFailure = new RunStoreError('unavailable', (error as Error).message, { cause: error })
      throw this.startupFailure
    }
  }

  private renewPresence(): Promise<unknown> {
    return this.client.set(replicaKey(this.prefix, this.replicaId), '1', {
      PX: Math.ceil(this.leaseMs * 0.75),
    })
  }

  /** Stops renewing this replica's presence and closes the connections it opened. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat)
    await this.ready.catch(() => {})
    if (this.startupFailure !== undefined) return
    await this.client.del(replicaKey(this.prefix, this.replicaId)).catch(() => {})
    await this.subscriber.close().catch(() => {})
    if (this.ownsClient) await this.client.close().catch(() => {})
  }

  async create(info: RunInfo): Promise<void> {
    await this.connected()
    const keys = runKeys(this.prefix, info.runId)
    const run: WrittenRun = {
      keys,
      buffer: new BatchBuffer(),
      timer: undefined,
      writing: undefined,
      failure: undefined,
      retain: info.retain,
      expiring: false,
      stopListeners: new Set(),
      readListeners: new Set(),
      onControl: (message) => {
        if (message === 'stop') for (const listener of [...run.stopListeners]) listener()
        else if (message.startsWith('read ')) {
          const sequence = Number(message.slice(5))
          for (const listener of [...run.readListeners]) listener(sequence)
        }
      },
    }
    const fields: Record<string, string> = {
      retain: info.retain ? '1' : '0',
      writer: this.replicaId,
      ended: '0',
    }
    if (info.owner !== undefined) fields.owner = info.owner
    await this.command('registering a run', () =>
      Promise.all([
        this.subscriber.subscribe(keys.control, run.onControl),
        this.client.multi().hSet(keys.meta, fields).pExpire(keys.meta, this.runTtlMs).execAsPipeline(),
      ]),
    )
    this.written.set(info.runId, run)
  }

  append(runId: string, record: RunRecord): void | Promise<void> {
    const run = this.written.get(runId)
    if (run === undefined) return
    if (run.failure !== undefined) throw run.failure
    run.buffer.add(record)
    if (run.buffer.count >= this.maxBatchRecords) {
      // The agent outruns Redis: wait for the write in flight instead of buffering without bound.
      if (run.writing !== undefined) return run.writing.then(() => this.flush(runId, run))
      return this.flush(runId, run)
    }
    run.timer ??= setTimeout(() => void this.flush(runId, run), this.flushMs)
  }

  private flush(runId: string, run: WrittenRun): Promise<void> {
    clearTimeout(run.timer)
    run.timer = undefined
    if (run.writing !== undefined) return run.writing.then(() => this.flush(runId, run))
    if (run.buffer.count === 0 || run.failure !== undefined) return Promise.resolve()
    const { id, fields } = run.buffer.take()
    // Pipelined, not a transaction: two commands a batch (three with the first batch's TTL).
    const batch = this.client.multi().xAdd(run.keys.events, id, fields, {
      TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.maxBatches },
    })
    if (!run.expiring) batch.pExpire(run.keys.events, this.runTtlMs)
    run.expiring = true
    run.writing = batch
      .publish(run.keys.wake, announcement(fields))
      .execAsPipeline()
      .then(
        () => {
          run.writing = undefined
        },
        (error: unknown) => {
          run.writing = undefined
          run.failure = this.unavailable(`writing the events of run ${runId}`, error)
        },
      )
    return run.writing
  }

  async retain(runId: string): Promise<void> {
    const run = this.written.get(runId)
    if (run === undefined) return
    await this.flush(runId, run)
    this.written.delete(runId)
    await this.subscriber.unsubscribe(run.keys.control, run.onControl).catch(() => {})
    if (run.failure !== undefined) throw run.failure
    // A run that is not retained had one reader, which has read it (or left): it goes soon.
    const keepMs = run.retain ? this.retainMs : Math.min(this.retainMs, 10_000)
    await this.command(`ending run ${runId}`, () =>
      this.client
        .multi()
        .xAdd(run.keys.events, '*', { e: '1' })
        .hSet(run.keys.meta, 'ended', '1')
        .pExpire(run.keys.events, keepMs)
        .pExpire(run.keys.meta, keepMs)
        .publish(run.keys.wake, 'end')
        .execAsPipeline(),
    )
  }

  async read(runId: string, after: number): Promise<RunRead> {
    await this.connected()
    const keys = runKeys(this.prefix, runId)
    const watched = this.watched.get(runId)
    if (watched?.live && !watched.check) {
      // Nothing announced since, or the records came with their announcement: no round trip.
      if (watched.announced <= after) return { records: [], ended: false, lastSequence: after }
      const records = watched.recent.after(after)
      if (records !== undefined) {
        const lastSequence = records[records.length - 1]!.sequence
        this.tellWriter(runId, keys, lastSequence)
        return { records, ended: false, lastSequence }
      }
    }
    if (watched !== undefined) watched.check = false
    let entries: { id: string; message: Record<string, string> }[]
    try {
      entries = (await this.client.xRange(keys.events, `${after + 1}-0`, '+')) as typeof entries
    } catch (error) {
      // The reader learns why its stream ends instead of seeing it cut.
      return this.unavailableRead(after, error)
    }
    const records: RunRecord[] = []
    const { ended } = recordsOfEntries(entries, after, records)
    const first = entries[0]
    if (first !== undefined && first.message.d !== undefined && Number(first.message.f) > after + 1) {
      throw new RunStoreError('gone', 'The events after this sequence are no longer kept.')
    }
    let lastSequence = records.length > 0 ? records[records.length - 1]!.sequence : after
    if (records.length === 0 && !ended) {
      const state = await this.emptyReadState(runId, keys, after).catch((error: unknown) => error)
      if (state instanceof RunStoreError) throw state
      if (state instanceof Error) return this.unavailableRead(after, state)
      const known = state as { lastSequence: number; writerGone: boolean }
      lastSequence = known.lastSequence
      if (known.writerGone) return this.writerGoneRead(keys, known.lastSequence)
    }
    if (records.length > 0 && !ended) this.tellWriter(runId, keys, lastSequence)
    return { records, ended, lastSequence }
  }

  /** Nothing new: is the run kept, where is it, and is its writer still alive? */
  private async emptyReadState(
    runId: string,
    keys: RunKeys,
    after: number,
  ): Promise<{ lastSequence: number; writerGone: boolean }> {
    const [latest, meta] = await Promise.all([
      this.client.xRevRange(keys.events, '+', '-', { COUNT: 1 }),
      this.client.hmGet(keys.meta, ['writer', 'ended']),
    ])
    const [writer, ended] = meta as (string | null)[]
    if (writer === null || writer === undefined) {
      if (latest.length === 0) throw new RunStoreError('not_found', 'No run with this id is kept.')
    }
    const lastId = latest[0]?.id
    const lastSequence = lastId === undefined ? 0 : Math.max(sequenceOfId(lastId), 0)
    if (lastSequence < after) return { lastSequence, writerGone: false }
    if (ended === '1' || writer === null || writer === undefined) return { lastSequence, writerGone: false }
    this.writers.set(runId, writer)
    if (writer === this.replicaId) return { lastSequence, writerGone: false }
    const alive = await this.client.exists(replicaKey(this.prefix, writer))
    return { lastSequence, writerGone: alive === 0 }
  }

  /** Ends a run whose writer died: an error record then the end, written once for every reader. */
  private async writerGoneRead(keys: RunKeys, lastSequence: number): Promise<RunRead> {
    const sequence = lastSequence + 1
    const json = JSON.stringify({ type: 'error', error: writerGoneError })
    try {
      await this.client
        .multi()
        .xAdd(keys.events, `${sequence}-0`, { f: String(sequence), t: 'error', d: json, e: '1' })
        .hSet(keys.meta, 'ended', '1')
        .pExpire(keys.events, this.retainMs)
        .pExpire(keys.meta, this.retainMs)
        .publish(keys.wake, 'end')
        .exec()
    } catch {
      // Another reader wrote it first (same id), or Redis is away: the next read tells.
    }
    const records: RunRecord[] = []
    const entries = (await this.client.xRange(keys.events, `${sequence}-0`, '+')) as {
      id: string
      message: Record<string, string>
    }[]
    const { ended } = recordsOfEntries(entries, lastSequence, records)
    return { records, ended, lastSequence: records.at(-1)?.sequence ?? lastSequence }
  }

  private unavailableRead(after: number, error: unknown): RunRead {
    const event = { type: 'error' as const, error: unavailableError }
    void error
    return { records: [{ sequence: after + 1, event }], ended: true, lastSequence: after + 1 }
  }

  /** A reader on another replica took records up to `sequence`: the writer counts it as a reader. */
  private tellWriter(runId: string, keys: RunKeys, sequence: number): void {
    if (this.written.has(runId)) return
    this.client.publish(keys.control, `read ${sequence}`).catch(() => {})
  }

  wait(runId: string, after: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve()
    let watched = this.watched.get(runId)
    if (watched === undefined) {
      const created: WatchedRun = {
        waiters: new Set(),
        live: false,
        announced: 0,
        check: false,
        recent: new AnnouncedRecords(),
        onWake: (message) => {
          if (message === 'end') created.announced = Number.POSITIVE_INFINITY
          else created.announced = Math.max(created.announced, created.recent.add(message))
          const waiters = [...created.waiters]
          created.waiters.clear()
          for (const waiter of waiters) waiter()
        },
        subscribing: Promise.resolve(),
      }
      watched = created
      this.watched.set(runId, created)
      created.subscribing = this.subscriber
        .subscribe(runKeys(this.prefix, runId).wake, created.onWake)
        .then(async () => {
          created.live = true
          // A batch written while the subscription was being made: seen by looking once it is made.
          const latest = await this.client.xRevRange(runKeys(this.prefix, runId).events, '+', '-', {
            COUNT: 1,
          })
          const last = latest[0]
          if (last !== undefined)
            created.onWake(last.message.e === undefined ? String(sequenceOfId(last.id)) : 'end')
        })
        .catch(() => {
          created.live = false
        })
    }
    const current = watched
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        current.waiters.delete(done)
        if (current.waiters.size === 0) this.unwatch(runId, current)
        resolve()
      }
      current.waiters.add(done)
      signal?.addEventListener('abort', done, { once: true })
      // Wakes now and then without news: the next read checks that the writer is alive, and tells it
      // that this reader is still here.
      timer = setTimeout(() => {
        current.check = true
        if (!this.written.has(runId))
          this.client.publish(runKeys(this.prefix, runId).control, `read ${after}`).catch(() => {})
        done()
      }, this.leaseMs / 5)
      if (current.announced > after) done()
    })
  }

  private unwatch(runId: string, watched: WatchedRun): void {
    // Kept a moment: the reader's next wait usually follows its read at once.
    setTimeout(() => {
      if (watched.waiters.size > 0 || this.watched.get(runId) !== watched) return
      this.watched.delete(runId)
      watched.subscribing = this.subscriber
        .unsubscribe(runKeys(this.prefix, runId).wake, watched.onWake)
        .catch(() => {})
    }, 1000).unref?.()
  }

  async info(runId: string): Promise<RunInfo | undefined> {
    await this.connected()
    const meta = await this.command(`reading run ${runId}`, () =>
      this.client.hGetAll(runKeys(this.prefix, runId).meta),
    )
    if (meta.writer === undefined) return undefined
    this.writers.set(runId, meta.writer)
    return { runId, retain: meta.retain === '1', ...(meta.owner === undefined ? {} : { owner: meta.owner }) }
  }

  async stop(runId: string): Promise<boolean> {
    await this.connected()
    const keys = runKeys(this.prefix, runId)
    const ended = await this.command(`stopping run ${runId}`, () => this.client.hGet(keys.meta, 'ended'))
    if (ended !== '0') return false
    await this.command(`stopping run ${runId}`, () => this.client.publish(keys.control, 'stop'))
    return true
  }

  onStop(runId: string, listener: () => void): () => void {
    const listeners = this.written.get(runId)?.stopListeners
    listeners?.add(listener)
    return () => listeners?.delete(listener)
  }

  /** Calls `listener` when a reader on another replica read the run up to a sequence (or is still waiting). */
  onRemoteRead(runId: string, listener: (sequence: number) => void): () => void {
    const listeners = this.written.get(runId)?.readListeners
    listeners?.add(listener)
    return () => listeners?.delete(listener)
  }

  sweep(): void {
    // Redis expires finished runs by itself (their TTL).
  }

  private async connected(): Promise<void> {
    if (this.startupFailure !== undefined) throw this.startupFailure
    try {
      await this.ready
    } catch {
      throw this.startupFailure
    }
  }

  private async command<Result>(doing: string, run: () => Promise<Result>): Promise<Result> {
    try {
      return await run()
    } catch (error) {
      throw this.unavailable(doing, error)
    }
  }

  private unavailable(doing: string, error: unknown): RunStoreError {
    return new RunStoreError('unavailable', `${describeRedisFailure(doing, error)}.`, { cause: error })
  }
}

/** A `RunStore` on Redis for `createAgentServer({ runStore })`; `await store.ready` before serving. */
export function redisRunStore(options: RedisRunStoreOptions): RedisRunStore {
  return new RedisRunStore(options)
}
