import { Worker } from 'node:worker_threads'
import type { EngineRequest, EngineResponse, WorkerReady } from './engine/protocol.js'

export interface WorkerClientOptions {
  /** Deadline of one evaluation, from the moment the worker receives it. */
  timeoutMs: number
  maxMemoryMb: number
  /** How long a new worker may take to load mathjs before the call fails. */
  startupTimeoutMs?: number
}

/** A calculation that failed outside the engine: deadline, memory, crash, abort or shutdown. */
export interface WorkerFailure {
  ok: false
  message: string
  /** The worker was killed (deadline, memory, crash); the next call gets a new one. */
  workerReplaced: boolean
}

interface Job {
  request: Omit<EngineRequest, 'id'>
  signal: AbortSignal | undefined
  resolve: (response: EngineResponse | WorkerFailure) => void
  onAbort?: () => void
}

interface LiveWorker {
  worker: Worker
  ready: boolean
}

// Node runs the TypeScript source directly (tests from src/) and the compiled JavaScript from dist/.
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './calculator-worker.ts' : './calculator-worker.js',
  import.meta.url,
)

/**
 * Keeps one warm worker, created on first use, and runs calls through it one at a time. On a deadline,
 * an abort, a memory overrun or a crash the worker is terminated and a fresh one serves the next call.
 * The worker does not keep the process alive while idle.
 */
export class CalculatorWorkerClient {
  private readonly options: Required<WorkerClientOptions>
  private live: LiveWorker | undefined
  private readonly queue: Job[] = []
  private active: { job: Job; id: number; timer: NodeJS.Timeout | undefined } | undefined
  private nextId = 1
  private closed = false
  /** How many workers were started; for tests and diagnostics. */
  workersStarted = 0

  constructor(options: WorkerClientOptions) {
    this.options = { startupTimeoutMs: 15_000, ...options }
  }

  run(request: Omit<EngineRequest, 'id'>, signal?: AbortSignal): Promise<EngineResponse | WorkerFailure> {
    if (this.closed) {
      return Promise.resolve(failure('The calculator was closed; create a new calculator tool.', false))
    }
    if (signal?.aborted)
      return Promise.resolve(failure('The calculation was cancelled before it started.', false))
    return new Promise((resolve) => {
      const job: Job = { request, signal, resolve }
      if (signal) {
        job.onAbort = () => this.abort(job)
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.queue.push(job)
      this.pump()
    })
  }

  /** Starts the worker in the background without waiting for it; it does not keep the process alive. */
  start(): void {
    if (!this.closed) this.ensureWorker()
  }

  /** Starts the worker now, so that the first call does not wait for mathjs to load. */
  warm(): Promise<void> {
    if (this.closed) return Promise.resolve()
    const live = this.ensureWorker()
    if (live.ready) return Promise.resolve()
    // Keep the process alive while someone waits for the worker; idle again once it is ready.
    live.worker.ref()
    return new Promise((resolve) => {
      const onMessage = (message: unknown) => {
        if ((message as WorkerReady).ready === true) done()
      }
      const done = () => {
        live.worker.off('message', onMessage)
        live.worker.off('exit', done)
        if (this.active === undefined) live.worker.unref()
        resolve()
      }
      live.worker.on('message', onMessage)
      live.worker.once('exit', done)
    })
  }

  /** Ends the worker and fails queued calls. */
  async close(): Promise<void> {
    this.closed = true
    for (const job of this.queue.splice(0)) this.finish(job, failure('The calculator was closed.', false))
    if (this.active) {
      clearTimeout(this.active.timer)
      const { job } = this.active
      this.active = undefined
      this.finish(job, failure('The calculator was closed.', false))
    }
    const live = this.live
    this.live = undefined
    if (live) await live.worker.terminate()
  }

  private pump(): void {
    if (this.active || this.closed) return
    const job = this.queue.shift()
    if (job === undefined) {
      this.live?.worker.unref()
      return
    }
    const id = this.nextId++
    this.active = { job, id, timer: undefined }
    const live = this.ensureWorker()
    live.worker.ref()
    if (live.ready) this.dispatch(live)
    else {
      this.active.timer = setTimeout(() => {
        this.replaceWorker(`The calculator worker did not start within ${this.options.startupTimeoutMs} ms.`)
      }, this.options.startupTimeoutMs)
    }
  }

  private dispatch(live: LiveWorker): void {
    const active = this.active
    if (!active) return
    clearTimeout(active.timer)
    active.timer = setTimeout(() => {
      this.replaceWorker(
        `The calculation took longer than ${this.options.timeoutMs} ms and was stopped. Simplify it or split it into smaller steps.`,
      )
    }, this.options.timeoutMs)
    live.worker.postMessage({ ...active.job.request, id: active.id } satisfies EngineRequest)
  }

  private ensureWorker(): LiveWorker {
    if (this.live) return this.live
    const worker = new Worker(workerUrl, {
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.maxMemoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(this.options.maxMemoryMb / 4))),
        stackSizeMb: 4,
      },
      // The worker needs nothing from the parent's environment or flags (a parent started with
      // `--input-type` or `--inspect` must not break or expose it).
      env: {},
      execArgv: [],
      stdout: false,
      stderr: false,
    })
    this.workersStarted++
    const live: LiveWorker = { worker, ready: false }
    this.live = live
    worker.on('message', (message: EngineResponse | WorkerReady) => {
      if (this.live !== live) return
      if ('ready' in message) {
        live.ready = true
        if (this.active) this.dispatch(live)
        return
      }
      const active = this.active
      if (!active || active.id !== message.id) return
      clearTimeout(active.timer)
      this.active = undefined
      this.finish(active.job, message)
      this.pump()
    })
    worker.on('error', (error: Error & { code?: string }) => {
      if (this.live !== live) return
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
      if (!live.ready) {
        this.replaceWorker(
          outOfMemory
            ? `The calculator worker could not load mathjs within its ${this.options.maxMemoryMb} MB memory limit; raise maxMemoryMb.`
            : `The calculator worker could not start (${error.message}).`,
          false,
        )
        return
      }
      this.replaceWorker(
        outOfMemory
          ? `The calculation needed more than the ${this.options.maxMemoryMb} MB memory limit and was stopped. Use smaller matrices or numbers.`
          : `The calculator worker failed (${error.message}); it was replaced.`,
        false,
      )
    })
    worker.on('exit', () => {
      if (this.live !== live) return
      this.replaceWorker('The calculator worker stopped unexpectedly; it was replaced.', false)
    })
    // Idle until a call needs it: a worker started ahead of time must not keep the process alive. After the
    // listeners: adding a 'message' listener refs the worker's port again.
    worker.unref()
    return live
  }

  /** Kills the current worker, fails the active call with the message, and serves the queue with a new one. */
  private replaceWorker(message: string, terminate = true): void {
    const live = this.live
    // A worker that never started would fail again the same way: start the next one only on demand.
    const respawn = live?.ready === true
    this.live = undefined
    if (live && terminate) void live.worker.terminate()
    const active = this.active
    this.active = undefined
    if (active) {
      clearTimeout(active.timer)
      this.finish(active.job, failure(message, true))
    }
    // Start the replacement now, so that the next call finds it warm (mathjs takes about a second to load).
    if (!this.closed && respawn) this.ensureWorker()
    this.pump()
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      this.finish(job, failure('The calculation was cancelled.', false))
      return
    }
    // The worker is busy with this job and cannot be interrupted any other way.
    if (this.active?.job === job) this.replaceWorker('The calculation was cancelled.')
  }

  private finish(job: Job, response: EngineResponse | WorkerFailure): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort)
    job.resolve(response)
  }
}

function failure(message: string, workerReplaced: boolean): WorkerFailure {
  return { ok: false, message, workerReplaced }
}
