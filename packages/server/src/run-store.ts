import type { AgentEvent } from '@agent/core'
import type { PublicError } from './public-error.js'

/** An event as it goes on the wire: an agent event, or the error that ended the run. */
export type WireEvent = AgentEvent | ErrorWireEvent

export interface ErrorWireEvent {
  type: 'error'
  error: PublicError
}

export interface RunRecord {
  /** 1, 2, 3… within the run, assigned by the run's one writer. */
  readonly sequence: number
  readonly event: WireEvent
  /**
   * `event` as JSON and `event.type`, when the store has them (a network store reads JSON; the in-memory
   * store keeps retained records as JSON only): SSE and NDJSON readers then never touch `event`.
   */
  readonly json?: string
  readonly type?: string
}

export interface RunInfo {
  runId: string
  /** Who may resume and stop the run; `undefined`: whoever knows its id. */
  owner?: string
  /**
   * Kept for `Last-Event-ID` resumes (SSE). A run that is not retained has one reader: the store may drop
   * each record once it was read, and the whole run once it ended.
   */
  retain: boolean
}

export interface RunRead {
  /** The records after the requested sequence, in order (possibly none yet). */
  records: readonly RunRecord[]
  /** True when the run ended and `records` holds all that is left of it. */
  ended: boolean
  /** The sequence of the last record appended so far (0: none). */
  lastSequence: number
}

export type RunStoreErrorCode = 'not_found' | 'gone' | 'unavailable'

/**
 * A run store's failure. `not_found`: no such run is kept; `gone`: the records after that sequence were
 * dropped (buffer limit, retention); `unavailable`: the store could not be reached (a network store), and
 * the request may be retried.
 */
export class RunStoreError extends Error {
  override name = 'RunStoreError'
  readonly code: RunStoreErrorCode

  constructor(code: RunStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  static isInstance(value: unknown): value is RunStoreError {
    return value instanceof RunStoreError || (value as { name?: unknown } | null)?.name === 'RunStoreError'
  }
}

/**
 * Where a run's events live between the agent that produces them and the responses that read them: the
 * seam between one process and many replicas. The in-memory store is the default; a network store
 * (Redis Streams and pub/sub) lets a client resume on any replica and a stop reach the replica that runs
 * the agent.
 *
 * Methods may answer synchronously or with a promise: the in-memory store answers at once, so the
 * per-event path has no `await`; callers handle both. Failures are `RunStoreError`s.
 *
 * One writer per run (the replica running the agent) calls `create`, then `append` in sequence order,
 * then `retain` when the run ended. Any replica may `read`, `wait`, `info` and `stop`.
 */
export interface RunStore {
  /** Registers a run before its first record. */
  create(run: RunInfo): void | Promise<void>
  /**
   * Adds the next record. A network store may batch writes and answer before they land, as long as
   * records stay in order and a failure surfaces (here, or from the next call) as a `RunStoreError`.
   */
  append(runId: string, record: RunRecord): void | Promise<void>
  /** The run ended (its last record is appended): keep it for resumes (if retained), then drop it. */
  retain(runId: string): void | Promise<void>
  /** The records after `after` (0: from the start). Throws `not_found` or `gone`. */
  read(runId: string, after: number): RunRead | Promise<RunRead>
  /**
   * Resolves when there may be records after `after` or the run ended (subscribe). Resolves at once for
   * an unknown run, and when `signal` aborts (the reader left), so that a reader never hangs.
   */
  wait(runId: string, after: number, signal?: AbortSignal): Promise<void>
  /** The run's registration, or `undefined` when it is not kept. */
  info(runId: string): RunInfo | undefined | Promise<RunInfo | undefined>
  /** Asks the run's writer to stop it (from any replica); false when the run is not kept or ended. */
  stop(runId: string): boolean | Promise<boolean>
  /** Calls `listener` when a stop is asked for this run; returns the unsubscribe function. */
  onStop(runId: string, listener: () => void): () => void
  /**
   * Optional, for a store shared by replicas: calls `listener` when a reader on another replica read the run
   * up to `sequence` (or is still waiting there), so that the writer counts it as a reader: its backpressure
   * follows that reader, and its grace period starts again. Returns the unsubscribe function.
   */
  onRemoteRead?(runId: string, listener: (sequence: number) => void): () => void
  /** Drops runs past their retention; the routes call it now and then, a store may also sweep by itself. */
  sweep(): void | Promise<void>
}

/** True for a promise: lets callers skip an `await` when a store (the in-memory one) answered at once. */
export function isPromise<Value>(value: Value | Promise<Value>): value is Promise<Value> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
