import type { AgentEvent, AgentForceStopEvent, AgentResult } from '@agent/core'
import type { AbortCause, PublicError } from './public-error.js'
import { isPromise, type RunStore, RunStoreError, type WireEvent } from './run-store.js'
import type { StreamControl } from './stream-control.js'
import { innermostEvent } from './streamable.js'

export interface AgentRunOptions {
  /** Where the run's events go; readers follow them there by sequence number. */
  store: RunStore
  /** Kept for `Last-Event-ID` resumes (SSE), or read once by one reader. */
  retain: boolean
  /** Who may resume and stop the run. */
  owner?: string
  /** The agent runs at most this many events ahead of its fastest reader (backpressure). */
  unreadLimit: number
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
 * One agent invocation, pumped into a `RunStore` that readers (HTTP responses) follow by sequence number.
 * Decoupling the run from the connection is what lets an SSE client reconnect with `Last-Event-ID` and
 * continue without a gap; when the last reader leaves (and none comes back within the grace period) the
 * run is aborted, which cancels its model request and signals its tools. A stop asked through the store
 * (from any replica) aborts it too.
 */
export class AgentRun {
  readonly id = crypto.randomUUID()
  readonly controller = new AbortController()
  readonly closed: Promise<void>
  result: AgentResult | undefined
  private ended = false
  private nextSequence = 1
  private readers = 0
  private graceTimer: ReturnType<typeof setTimeout> | undefined
  private abandonTimer: ReturnType<typeof setTimeout> | undefined
  private abortCause: AbortCause | undefined
  private heldForceStop: AgentForceStopEvent | undefined
  private resolveClosed!: () => void
  /** The highest sequence any reader in this process has taken. */
  private highestRead = 0
  private resolveReaderProgress: (() => void) | undefined
  private unsubscribeStop: (() => void) | undefined
  private unsubscribeRemoteRead: (() => void) | undefined
  private readonly store: RunStore
  private readonly options: AgentRunOptions

  /** Dropped when the run ends, so that a retained run does not keep its agent alive. */
  private stream: AsyncGenerator<AgentEvent, AgentResult> | undefined

  /** `start` receives the run's abort signal and returns the agent's stream (e.g. `agent.stream(prompt, { signal })`). */
  constructor(
    start: (signal: AbortSignal) => AsyncGenerator<AgentEvent, AgentResult>,
    options: AgentRunOptions,
  ) {
    this.options = options
    this.store = options.store
    this.controller.signal.addEventListener('abort', () => this.readerProgressed(), { once: true })
    this.stream = start(this.controller.signal)
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve
    })
  }

  /** The control the app uses to count this run as a stream and stop it at shutdown. */
  get control(): StreamControl {
    return { closed: this.closed, stop: () => this.abort('shutdown') }
  }

  get lastSequence(): number {
    return this.nextSequence - 1
  }

  /**
   * Registers the run and pulls the first event, so that a failure before anything streams (a busy
   * session, a model that cannot be resolved) reaches the caller as an exception it can turn into an
   * HTTP status; then pumps the rest.
   */
  async begin(): Promise<void> {
    try {
      await this.store.create({ runId: this.id, owner: this.options.owner, retain: this.options.retain })
      this.unsubscribeStop = this.store.onStop(this.id, () => this.abort('cancel'))
      this.unsubscribeRemoteRead = this.store.onRemoteRead?.(this.id, (sequence) => this.remoteRead(sequence))
      let first = await this.stream!.next()
      if (!first.done && first.value.type === 'force_stop') {
        // The run failed before streaming anything: the next step throws its error.
        this.heldForceStop = first.value
        first = await this.stream!.next()
        this.heldForceStop = undefined
      }
      if (first.done) {
        this.result = first.value
        await this.end()
        return
      }
      const pending = this.push(first.value)
      if (pending !== undefined) await pending
    } catch (error) {
      await this.end().catch(() => {})
      throw error
    }
    void this.pump()
  }

  /** A reader in this process took the records up to `sequence`: lets the agent go on. */
  progressed(sequence: number): void {
    if (sequence <= this.highestRead) return
    this.highestRead = sequence
    this.readerProgressed()
  }

  attach(): void {
    this.readers++
    clearTimeout(this.graceTimer)
    this.graceTimer = undefined
  }

  detach(): void {
    this.readers--
    if (this.readers > 0 || this.ended) return
    if (this.options.reconnectGraceMs <= 0) this.abort('disconnect')
    else this.startGrace()
  }

  private startGrace(): void {
    clearTimeout(this.graceTimer)
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined
      if (this.readers === 0) this.abort('disconnect')
    }, this.options.reconnectGraceMs)
  }

  /** A reader on another replica (a client that reconnected there) is following this run. */
  private remoteRead(sequence: number): void {
    this.progressed(sequence)
    if (this.readers === 0 && this.graceTimer !== undefined) this.startGrace()
  }

  abort(cause: AbortCause): void {
    if (this.ended || this.controller.signal.aborted) return
    this.abortCause = cause
    this.controller.abort(cause === 'shutdown' ? new Error('The server is shutting down.') : undefined)
    // The agent ends an aborted run within one event; app code that ignores the signal must not hold the
    // stream slot for ever (repeated stalls would end in permanent 503s).
    this.abandonTimer = setTimeout(() => void this.abandon(), this.options.abandonAfterMs)
    this.abandonTimer.unref?.()
  }

  private async abandon(): Promise<void> {
    if (this.ended) return
    const error = new Error(
      `The run did not end within ${this.options.abandonAfterMs} ms of being stopped (a hook or tool ignores its abort signal); it was abandoned.`,
    )
    // What the stuck run produces later goes nowhere.
    const stream = this.stream
    try {
      await this.append({ type: 'error', error: this.options.describeError(error, this.abortCause) })
    } finally {
      await this.end()
      stream?.return(undefined as never).catch(() => {})
    }
  }

  private async pump(): Promise<void> {
    try {
      while (true) {
        // Paused while readers are far behind; an abort wakes it so that the agent can end.
        while (
          this.lastSequence - this.highestRead >= this.options.unreadLimit &&
          !this.controller.signal.aborted
        ) {
          await new Promise<void>((resolve) => {
            this.resolveReaderProgress = resolve
          })
        }
        const step = await this.stream!.next()
        if (step.done) {
          this.result = step.value
          break
        }
        const pending = this.push(step.value)
        if (pending !== undefined) await pending
      }
    } catch (error) {
      if (RunStoreError.isInstance(error)) {
        // A store that fails stops the agent: nobody could read what it produces.
        this.abort('disconnect')
        void this.stream?.return(undefined as never).catch(() => {})
        return
      }
      const described = this.options.describeError(error, this.abortCause)
      try {
        if (this.heldForceStop !== undefined) {
          // The loop's reason is the raw error text; send the safe one instead.
          await this.append({
            ...this.heldForceStop,
            force_stop_reason: `${described.name}: ${described.message}`,
          })
          this.heldForceStop = undefined
        }
        await this.append({ type: 'error', error: described })
      } catch {
        // The store is gone; its readers see the run end.
      }
    } finally {
      await this.end().catch(() => {})
    }
  }

  /** Records one event (`undefined` when that took no waiting: the in-memory store). */
  private push(event: AgentEvent): Promise<void> | undefined {
    // A Swarm's or Graph's node events are judged by the agent event they carry.
    if (this.options.omitEvents.has(innermostEvent(event).type)) return undefined
    if (event.type === 'force_stop') {
      // Always followed by the error that caused it; held until that error is known.
      this.heldForceStop = event
      return undefined
    }
    return this.append(event)
  }

  private append(event: WireEvent): Promise<void> | undefined {
    if (this.ended) return undefined
    const appended = this.store.append(this.id, { sequence: this.nextSequence++, event })
    return isPromise(appended) ? appended : undefined
  }

  private async end(): Promise<void> {
    if (this.ended) return
    this.ended = true
    this.stream = undefined
    clearTimeout(this.graceTimer)
    this.graceTimer = undefined
    clearTimeout(this.abandonTimer)
    this.unsubscribeStop?.()
    this.unsubscribeRemoteRead?.()
    try {
      await this.store.retain(this.id)
    } finally {
      this.resolveClosed()
    }
  }

  private readerProgressed(): void {
    const resolve = this.resolveReaderProgress
    this.resolveReaderProgress = undefined
    resolve?.()
  }
}
