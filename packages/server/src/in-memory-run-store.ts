import {
  type RunInfo,
  type RunRead,
  type RunRecord,
  type RunStore,
  RunStoreError,
  type WireEvent,
} from './run-store.js'

export interface InMemoryRunStoreOptions {
  /** Records kept per run; older ones are dropped (a resume from before them gets 410). Default 10 000. */
  maxEventsPerRun?: number
  /** How long a finished retained run stays readable. Default 60 000 ms. */
  retainMs?: number
  /** Finished runs kept, at most; the oldest are dropped first. Default 1000. */
  maxRetainedRuns?: number
  /**
   * Bytes of events kept over all runs (counted as JSON text), at most: past it, the oldest finished runs
   * are dropped. Default 64 MiB, which fits a small container (a finished run of 10 000 events is ~1.6 MB).
   */
  maxRetainedBytes?: number
}

/** Per record: the object, its array slot and the string header, beyond the JSON text itself. */
const recordOverheadBytes = 64

interface StoredRun {
  info: RunInfo
  records: RunRecord[]
  /** Index of the first record still kept. */
  head: number
  /** The sequence of the last record appended (0: none yet). */
  lastSequence: number
  bytes: number
  endedAt: number | undefined
  changed: Promise<void> | undefined
  wake: (() => void) | undefined
  stopListeners: Set<() => void>
}

/**
 * The default `RunStore`: every run in this process's memory. Retained (SSE) runs keep their records as
 * JSON text, counted against `maxRetainedBytes`; other runs drop each record once read.
 */
export class InMemoryRunStore implements RunStore {
  private readonly runs = new Map<string, StoredRun>()
  /** Finished runs in the order they finished: eviction takes the oldest first. */
  private readonly finished = new Set<string>()
  private bytes = 0
  private lastSweep = 0
  private readonly maxEventsPerRun: number
  private readonly retainMs: number
  private readonly maxRetainedRuns: number
  private readonly maxRetainedBytes: number

  constructor(options: InMemoryRunStoreOptions = {}) {
    this.maxEventsPerRun = Math.max(1, options.maxEventsPerRun ?? 10_000)
    this.retainMs = nonNegative(options.retainMs, 60_000, 'retainMs')
    this.maxRetainedRuns = Math.max(0, options.maxRetainedRuns ?? 1000)
    this.maxRetainedBytes = nonNegative(options.maxRetainedBytes, 64 * 1024 * 1024, 'maxRetainedBytes')
  }

  /** Bytes of events held now (JSON text of retained runs, plus a per-record overhead). */
  get retainedBytes(): number {
    return this.bytes
  }

  /** Runs held now, going on or finished. */
  get size(): number {
    return this.runs.size
  }

  create(info: RunInfo): void {
    this.runs.set(info.runId, {
      info,
      records: [],
      head: 0,
      lastSequence: 0,
      bytes: 0,
      endedAt: undefined,
      changed: undefined,
      wake: undefined,
      stopListeners: new Set(),
    })
  }

  append(runId: string, record: RunRecord): void {
    const run = this.runs.get(runId)
    if (run === undefined || run.endedAt !== undefined) return
    let stored = record
    if (run.info.retain) {
      // Serialized once here: every SSE reader (and the byte count) uses this text, and the event object
      // (larger than its JSON) is not kept.
      stored = new SerializedRecord(
        record.sequence,
        record.event.type,
        record.json ?? JSON.stringify(record.event),
      )
      const size = stored.json!.length + recordOverheadBytes
      run.bytes += size
      this.bytes += size
    }
    run.records.push(stored)
    run.lastSequence = record.sequence
    if (run.records.length - run.head > this.maxEventsPerRun)
      this.discardThrough(run, run.records[run.head]!.sequence)
    wake(run)
  }

  retain(runId: string): void {
    const run = this.runs.get(runId)
    if (run === undefined || run.endedAt !== undefined) return
    run.endedAt = Date.now()
    run.stopListeners.clear()
    wake(run)
    // A run that is not retained is dropped once its one reader saw the end (or by the sweep, if it left).
    this.finished.add(runId)
    this.evict()
  }

  read(runId: string, after: number): RunRead {
    const run = this.runs.get(runId)
    if (run === undefined) throw new RunStoreError('not_found', 'No run with this id is kept.')
    const first = run.records[run.head]?.sequence ?? run.lastSequence + 1
    if (after + 1 < first)
      throw new RunStoreError('gone', 'The events after this sequence are no longer kept.')
    const start = run.head + (after + 1 - first)
    const records = start < run.records.length ? run.records.slice(start) : noRecords
    const ended = run.endedAt !== undefined
    if (!run.info.retain && records.length > 0) {
      this.discardThrough(run, records[records.length - 1]!.sequence)
      if (ended) this.drop(runId)
    } else if (!run.info.retain && ended) {
      this.drop(runId)
    }
    return { records, ended, lastSequence: run.lastSequence }
  }

  wait(runId: string, after: number, signal?: AbortSignal): Promise<void> {
    const run = this.runs.get(runId)
    if (run === undefined || run.endedAt !== undefined || signal?.aborted) return Promise.resolve()
    if (run.lastSequence > after) return Promise.resolve()
    run.changed ??= new Promise((resolve) => {
      run.wake = resolve
    })
    if (signal === undefined) return run.changed
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
      run.changed!.then(done)
    })
  }

  info(runId: string): RunInfo | undefined {
    return this.runs.get(runId)?.info
  }

  stop(runId: string): boolean {
    const run = this.runs.get(runId)
    if (run === undefined || run.endedAt !== undefined) return false
    for (const listener of [...run.stopListeners]) listener()
    return true
  }

  onStop(runId: string, listener: () => void): () => void {
    const listeners = this.runs.get(runId)?.stopListeners
    listeners?.add(listener)
    return () => listeners?.delete(listener)
  }

  sweep(): void {
    const now = Date.now()
    if (now - this.lastSweep < 1000 && this.finished.size <= this.maxRetainedRuns) return
    this.lastSweep = now
    for (const runId of this.finished) {
      const endedAt = this.runs.get(runId)?.endedAt ?? 0
      if (now - endedAt < this.retainMs) break
      this.drop(runId)
    }
    this.evict()
  }

  /** Oldest finished runs go first, until both caps hold. */
  private evict(): void {
    for (const runId of this.finished) {
      if (this.finished.size <= this.maxRetainedRuns && this.bytes <= this.maxRetainedBytes) return
      this.drop(runId)
    }
  }

  private drop(runId: string): void {
    const run = this.runs.get(runId)
    if (run === undefined) return
    this.bytes -= run.bytes
    this.runs.delete(runId)
    this.finished.delete(runId)
    wake(run)
  }

  private discardThrough(run: StoredRun, sequence: number): void {
    while (run.head < run.records.length && run.records[run.head]!.sequence <= sequence) {
      const record = run.records[run.head]!
      if (record.json !== undefined) {
        const size = record.json.length + recordOverheadBytes
        run.bytes -= size
        this.bytes -= size
      }
      run.records[run.head] = undefined as unknown as RunRecord
      run.head++
    }
    if (run.head > 512 && run.head * 2 > run.records.length) {
      run.records = run.records.slice(run.head)
      run.head = 0
    }
  }
}

const noRecords: readonly RunRecord[] = []

/**
 * A record kept as its JSON text (a retained record, or one a network store read back); the event is parsed
 * again only if a reader asks for it.
 */
export class SerializedRecord implements RunRecord {
  readonly sequence: number
  readonly type: string
  readonly json: string

  constructor(sequence: number, type: string, json: string) {
    this.sequence = sequence
    this.type = type
    this.json = json
  }

  get event(): WireEvent {
    return JSON.parse(this.json) as WireEvent
  }
}

function wake(run: StoredRun): void {
  const resolve = run.wake
  run.changed = undefined
  run.wake = undefined
  resolve?.()
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!(value >= 0)) throw new RangeError(`${name} must be a number >= 0, got ${value}.`)
  return value
}
