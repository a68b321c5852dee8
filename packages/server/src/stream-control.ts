/**
 * What the app needs from a streaming response it did not create: count it against the stream cap,
 * know when it ends, and stop it on shutdown.
 */
export interface StreamControl {
  /** Resolves when the body is finished, failed or cancelled. */
  readonly closed: Promise<void>
  /** Stops producing: the iterable is returned (which aborts an agent run) and the body ends. */
  stop(reason?: unknown): void
}

export const streamControlKey: unique symbol = Symbol.for('@agent/server.streamControl')

export function streamControlOf(value: unknown): StreamControl | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  return (value as { [streamControlKey]?: StreamControl })[streamControlKey]
}

export function attachStreamControl(target: object, control: StreamControl): void {
  Object.defineProperty(target, streamControlKey, { value: control, enumerable: false })
}

export interface BodyOptions {
  /** Called once the body is over, however it ended. */
  onClose?: () => void
  /** Called when the iterable throws; the body is then ended with an error (the client sees a cut stream). */
  onError?: (error: unknown) => void
  /** Optional heartbeat written when nothing was written for `intervalMs`. */
  heartbeat?: { intervalMs: number; chunk: string }
}

const encoder = new TextEncoder()

/**
 * Writes `chunk` to a stream after each `intervalMs` in which nothing else was written (SSE pings), so
 * that proxies keep an idle stream open. Call `wrote()` on every write and `stop()` when the stream ends.
 */
export class Heartbeat {
  private wroteSinceBeat = false
  private readonly timer: ReturnType<typeof setInterval>

  constructor(controller: ReadableStreamDefaultController<Uint8Array>, intervalMs: number, chunk: string) {
    const bytes = encoder.encode(chunk)
    this.timer = setInterval(() => {
      if (!this.wroteSinceBeat) {
        try {
          controller.enqueue(bytes)
        } catch {
          // Closed meanwhile.
        }
      }
      this.wroteSinceBeat = false
    }, intervalMs)
  }

  wrote(): void {
    this.wroteSinceBeat = true
  }

  stop(): void {
    clearInterval(this.timer)
  }
}

/**
 * A byte stream pulled from an async iterable: nothing is produced before the client reads (high water
 * mark 0), and a cancelled body (the client went away) returns the iterator, so its `finally` runs.
 */
export function iterableToBody(
  iterable: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: BodyOptions = {},
): { body: ReadableStream<Uint8Array>; control: StreamControl } {
  let iterator: AsyncIterator<string | Uint8Array> | Iterator<string | Uint8Array> | undefined
  let finished = false
  let stopped = false
  let streamController: ReadableStreamDefaultController<Uint8Array> | undefined
  let heartbeat: Heartbeat | undefined
  let resolveClosed!: () => void
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })

  const finish = () => {
    if (finished) return
    finished = true
    heartbeat?.stop()
    options.onClose?.()
    resolveClosed()
  }
  const returnIterator = () => {
    const current = iterator
    if (current?.return === undefined) return
    try {
      Promise.resolve(current.return()).catch(() => {})
    } catch {
      // A generator that is running rejects a second return; the first one is enough.
    }
  }

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        streamController = controller
        if (options.heartbeat !== undefined) {
          heartbeat = new Heartbeat(controller, options.heartbeat.intervalMs, options.heartbeat.chunk)
        }
      },
      async pull(controller) {
        if (finished) return
        try {
          iterator ??=
            Symbol.asyncIterator in iterable
              ? (iterable as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]()
              : (iterable as Iterable<string | Uint8Array>)[Symbol.iterator]()
          const step = await iterator.next()
          if (finished) return
          if (step.done || stopped) {
            controller.close()
            finish()
            return
          }
          heartbeat?.wrote()
          controller.enqueue(typeof step.value === 'string' ? encoder.encode(step.value) : step.value)
        } catch (error) {
          if (finished) return
          options.onError?.(error)
          // Never the raw error: a Node adapter writes its message to the client.
          controller.error(new Error('The stream failed on the server; its log has the details.'))
          finish()
        }
      },
      cancel() {
        finish()
        returnIterator()
      },
    },
    { highWaterMark: 0 },
  )

  const control: StreamControl = {
    closed,
    stop() {
      if (finished || stopped) return
      stopped = true
      returnIterator()
      if (iterator === undefined) {
        // Never started: end it now.
        try {
          streamController?.close()
        } catch {}
        finish()
      }
    },
  }
  return { body, control }
}
