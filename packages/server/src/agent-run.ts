import type { AgentEvent, AgentForceStopEvent, AgentResult } from '@agent/core'
import type { AbortCause, PublicError } from './public-error.js'
import type { StreamControl } from './stream-control.js'

/** An event as it goes on the wire: an agent event, or the error that ended the run. */
export type WireEvent = AgentEvent | ErrorWireEvent

export interface ErrorWireEvent {
  type: 'error'
  error: PublicError
}

export interface RunRecord {
  /** 1, 2, 3… within the run. */
  sequence: number
  event: WireEvent
}

export interface AgentRunOptions {
  /** Oldest records are dropped past this many (a resume from before them gets 410). */
  maxBufferedEvents: number
  /** Records already read are dropped at once (one reader, no resume). */
  discardRead: boolean
  /** Event types not recorded (not sent). */
  omitEvents: ReadonlySet<string>
  /** How long a run with no reader keeps going before it is aborted. 0: at once. */
  reconnectGraceMs: number
  /** How long an aborted run may take to end before it is abandoned (its slot released, an error sent). */
  abandonAfterMs: number
  /** The client-facing error for whatever ended the run, logged as needed by the caller. */
  describeError: (error: unknown, cause: AbortCause | undefined) => PublicError
}

/**
 * One agent invocation, pumped into a buffer that readers (HTTP responses) follow by sequence number.
 * Decoupling the run from the connection is what lets an SSE client reconnect with `Last-Event-ID`
 * and continue without a gap; when the last reader leaves (and none comes back within the grace
 * period) the run is aborted, which cancels its model request and signals its tools.
 */
export class AgentRun {
  readonly id = crypto.randomUUID()
  readonly controller = new AbortController()
  readonly closed: Promise<void>
  result: AgentResult | undefined
  endedAt: number | undefined
  private records: RunRecord[] = []
  private head = 0
  private nextSequence = 1
  private readers = 0
  private graceTimer: ReturnType<typeof setTimeout> | undefined
  private abandonTimer: ReturnType<typeof setTimeout> | undefined
  private abortCause: AbortCause | undefined
  private heldForceStop: AgentForceStopEvent | undefined
  private changedPromise: Promise<void> | undefined
  private resolveChanged: (() => void) | undefined
  private resolveClosed!: () => void
  /** The highest sequence any reader has taken: the agent runs at most `unreadLimit` events ahead of it. */
  private highestRead = 0
  private readonly unreadLimit: number
  private resolveReaderProgress: (() => void) | undefined

  /** Dropped when the run ends, so that a retained run does not keep its agent alive. */
  private stream: AsyncGenerator<AgentEvent, AgentResult> | undefined

  /** `start` receives the run's abort signal and returns the agent's stream (e.g. `agent.stream(prompt, { signal })`). */
  private readonly options: AgentRunOptions

  constructor(
    start: (signal: AbortSignal) => AsyncGenerator<AgentEvent, AgentResult>,
    options: AgentRunOptions,
  ) {
    this.options = options
    // Backpressure: a slow reader slows the agent down instead of losing events from the buffer.
    this.unreadLimit = Math.max(1, Math.min(1024, Math.floor(options.maxBufferedEvents / 2)))
    this.controller.signal.addEventListener('abort', () => this.readerProgressed(), { once: true })
    this.stream = start(this.controller.signal)
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
  }

  get ended(): boolean {
    return this.endedAt !== undefined
  }

  /** The control the app uses to count this run as a stream and stop it at shutdown. */
  get control(): StreamControl {
    return { closed: this.closed, stop: () => this.abort('shutdown') }
  }

  /**
   * Pulls the first event, so that a failure before anything streams (a busy session, a model that cannot
   * be resolved) reaches the caller as an exception it can turn into an HTTP status; then pumps the rest.
   */
  async begin(): Promise<void> {
    try {
      let first = await this.stream!.next()
      if (!first.done && first.value.type === 'force_stop') {
        // The run failed before streaming anything: the next step throws its error.
        this.heldForceStop = first.value
        first = await this.stream!.next()
        this.heldForceStop = undefined
      }
      if (first.done) {
        this.result = first.value
        this.end()
        return
      }
      this.push(first.value)
    } catch (error) {
      this.end()
      throw error
    }
    void this.pump()
  }

  /** The record after `sequence`: the record, `undefined` when not produced yet, `'gone'` when dropped. */
  recordAfter(sequence: number): RunRecord | 'gone' | undefined {
    const first = this.records[this.head]?.sequence ?? this.nextSequence
    if (sequence + 1 < first) return 'gone'
    const record = this.records[this.head + (sequence + 1 - first)]
    if (record !== undefined) {
      if (record.sequence > this.highestRead) {
        this.highestRead = record.sequence
        this.readerProgressed()
      }
      if (this.options.discardRead) this.discardThrough(record.sequence)
    }
    return record
  }

  /** The sequence of the last record produced. */
  get lastSequence(): number {
    return this.nextSequence - 1
  }

  /** Resolves at the next record or at the end. */
  changed(): Promise<void> {
    if (this.ended) return Promise.resolve()
    this.changedPromise ??= new Promise((resolve) => {
      this.resolveChanged = resolve
    })
    return this.changedPromise
  }

  attach(): void {
    this.readers++
    clearTimeout(this.graceTimer)
    this.graceTimer = undefined
  }

  detach(): void {
    this.readers--
    if (this.readers > 0 || this.ended) return
    if (this.options.reconnectGraceMs <= 0) {
      this.abort('disconnect')
    } else {
      this.graceTimer = setTimeout(() => {
        this.graceTimer = undefined
        if (this.readers === 0) this.abort('disconnect')
      }, this.options.reconnectGraceMs)
    }
  }

  abort(cause: AbortCause): void {
    if (this.ended || this.controller.signal.aborted) return
    this.abortCause = cause
    this.controller.abort(cause === 'shutdown' ? new Error('The server is shutting down.') : undefined)
    // The agent ends an aborted run within one event; app code that ignores the signal must not hold the
    // stream slot for ever (repeated stalls would end in permanent 503s).
    this.abandonTimer = setTimeout(() => this.abandon(), this.options.abandonAfterMs)
    this.abandonTimer.unref?.()
  }

  private abandon(): void {
    if (this.ended) return
    const error = new Error(
      `The run did not end within ${this.options.abandonAfterMs} ms of being stopped (a hook or tool ignores its abort signal); it was abandoned.`,
    )
    this.append({ type: 'error', error: this.options.describeError(error, this.abortCause) })
    // What the stuck run produces later goes nowhere.
    const stream = this.stream
    this.end()
    stream?.return(undefined as never).catch(() => {})
  }

  private async pump(): Promise<void> {
    try {
      while (true) {
        // Paused while readers are far behind; an abort wakes it so that the agent can end.
        while (this.lastSequence - this.highestRead >= this.unreadLimit && !this.controller.signal.aborted) {
          await new Promise<void>((resolve) => {
            this.resolveReaderProgress = resolve
          })
        }
        const step = await this.stream!.next()
        if (step.done) {
          this.result = step.value
          break
        }
        this.push(step.value)
      }
    } catch (error) {
      const described = this.options.describeError(error, this.abortCause)
      if (this.heldForceStop !== undefined) {
        // The loop's reason is the raw error text; send the safe one instead.
        this.append({ ...this.heldForceStop, force_stop_reason: `${described.name}: ${described.message}` })
        this.heldForceStop = undefined
      }
      this.append({ type: 'error', error: described })
    } finally {
      this.end()
    }
  }

  private push(event: AgentEvent): void {
    if (this.options.omitEvents.has(event.type)) return
    if (event.type === 'force_stop') {
      // Always followed by the error that caused it; held until that error is known.
      this.heldForceStop = event
      return
    }
    this.append(event)
  }

  private append(event: WireEvent): void {
    if (this.ended) return
    this.records.push({ sequence: this.nextSequence++, event })
    if (this.records.length - this.head > this.options.maxBufferedEvents)
      this.discardThrough(this.records[this.head]!.sequence)
    this.wake()
  }

  private discardThrough(sequence: number): void {
    while (this.head < this.records.length && this.records[this.head]!.sequence <= sequence) {
      this.records[this.head] = undefined as unknown as RunRecord
      this.head++
    }
    if (this.head > 512 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head)
      this.head = 0
    }
  }

  private end(): void {
    if (this.ended) return
    this.endedAt = Date.now()
    this.stream = undefined
    clearTimeout(this.graceTimer)
    this.graceTimer = undefined
    clearTimeout(this.abandonTimer)
    this.wake()
    this.resolveClosed()
  }

  private readerProgressed(): void {
    const resolve = this.resolveReaderProgress
    this.resolveReaderProgress = undefined
    resolve?.()
  }

  private wake(): void {
    const resolve = this.resolveChanged
    this.changedPromise = undefined
    this.resolveChanged = undefined
    resolve?.()
  }
}
