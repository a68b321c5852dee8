import type { ErrorInfo } from './node-result.js'

/**
 * The abort controller of one Swarm or Graph run: aborted by the caller's signal or by the run's
 * deadline, and able to say which of the two (or neither) stopped the run.
 */
export class RunLimits {
  readonly controller = new AbortController()
  private readonly startedAt = performance.now()
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  private timedOut = false
  private readonly onAbort: () => void
  private readonly signal: AbortSignal | undefined
  private readonly timeoutMs: number

  constructor(signal: AbortSignal | undefined, timeoutMs: number) {
    this.signal = signal
    this.timeoutMs = timeoutMs
    this.onAbort = () => this.controller.abort(signal?.reason)
    if (signal?.aborted) this.onAbort()
    else signal?.addEventListener('abort', this.onAbort, { once: true })
    if (Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => {
        this.timedOut = true
        this.controller.abort(new Error(this.error()?.message))
      }, timeoutMs)
    }
  }

  /** `timeout` or `cancelled` once the run was stopped from outside its nodes; otherwise undefined. */
  status(): 'timeout' | 'cancelled' | undefined {
    if (this.timedOut) return 'timeout'
    if (this.controller.signal.aborted) return 'cancelled'
    return undefined
  }

  error(): ErrorInfo | undefined {
    if (this.timedOut) {
      return { name: 'ExecutionTimeoutError', message: `The run did not finish within ${this.timeoutMs} ms.` }
    }
    if (this.controller.signal.aborted)
      return { name: 'AbortError', message: 'The run was aborted by its signal.' }
    return undefined
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt)
  }

  dispose(): void {
    clearTimeout(this.timer)
    this.signal?.removeEventListener('abort', this.onAbort)
  }
}
