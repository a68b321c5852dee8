import type { AgentRun } from './agent-run.js'
import {
  isPromise,
  type RunRead,
  type RunRecord,
  type RunStore,
  RunStoreError,
  type WireEvent,
} from './run-store.js'
import { encodeJsonServerSentEvent, serverSentEventPing } from './server-sent-events.js'
import { Heartbeat } from './stream-control.js'
import { innermostEvent } from './streamable.js'
import { streamingHeaders } from './streaming-response.js'

export type RunFormat = 'text' | 'sse' | 'ndjson'

export interface RunResponseOptions {
  store: RunStore
  runId: string
  /** Send the records after this sequence (0: all). */
  after: number
  format: RunFormat
  request: Request
  /** The run, when it goes on in this process: readers count for its grace period and backpressure. */
  local?: AgentRun
  /** The `retry:` hint at the start of a new SSE stream. */
  retryMs: number
  /** SSE pings after this long without a write; 0: none. */
  pingIntervalMs: number
  onError: (error: unknown) => void
}

const mediaTypes: Record<RunFormat, string> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
  text: 'text/plain',
}

const encoder = new TextEncoder()

const goneEvent = {
  type: 'error',
  error: { name: 'Gone', message: 'Events were dropped from the buffer.' },
} as const

/**
 * The streaming response of one run, read from the store from a sequence on: everything already
 * produced goes out in one write, then it waits for more. Leaving (disconnect, cancel) detaches from a
 * local run, whose grace period then starts.
 */
export function runResponse(options: RunResponseOptions): Response {
  const { store, runId, format, request, local } = options
  let cursor = options.after
  let attached = true
  let wroteText = false
  let finished = false
  let preface = format === 'sse' && options.after === 0 ? `retry: ${options.retryMs}\n\n` : ''

  const detach = () => {
    if (!attached) return
    attached = false
    request.signal.removeEventListener('abort', detach)
    local?.detach()
  }
  local?.attach()
  if (request.signal.aborted) detach()
  else request.signal.addEventListener('abort', detach, { once: true })

  const encode = (record: RunRecord): string => {
    if (format === 'sse') {
      const json = record.json ?? JSON.stringify(record.event)
      return encodeJsonServerSentEvent(`${runId}:${record.sequence}`, record.type ?? record.event.type, json)
    }
    if (format === 'ndjson') return `${record.json ?? JSON.stringify(record.event)}\n`
    const event = record.event
    // A Swarm's or Graph's text arrives inside its node events.
    const text = innermostEvent(event) as WireEvent
    if (text.type === 'data') {
      wroteText = true
      return text.data
    }
    if (event.type === 'error') return `${wroteText ? '\n' : ''}Error: ${event.error.message}\n`
    if (text.type === 'interrupt') {
      const { id, name } = text.interrupt
      return `${wroteText ? '\n' : ''}Interrupt: ${name} (${id})\n`
    }
    return ''
  }

  /** A dropped or evicted run reads as 'gone'; a store failure is thrown. */
  const goneOrThrow = (error: unknown): 'gone' => {
    if (RunStoreError.isInstance(error) && (error.code === 'gone' || error.code === 'not_found'))
      return 'gone'
    throw error
  }

  let heartbeat: Heartbeat | undefined
  const close = () => {
    heartbeat?.stop()
    detach()
  }
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === 'sse' && options.pingIntervalMs > 0) {
          heartbeat = new Heartbeat(controller, options.pingIntervalMs, serverSentEventPing)
        }
      },
      async pull(controller) {
        try {
          while (attached && !finished) {
            // Everything already produced goes out in one write.
            // No await when the store answers at once (the in-memory one): this runs per write.
            let read: RunRead | 'gone'
            try {
              const pending = store.read(runId, cursor)
              read = isPromise(pending) ? await pending : pending
            } catch (error) {
              read = goneOrThrow(error)
            }
            let chunk = preface
            preface = ''
            if (read === 'gone') {
              finished = true
              chunk += encode({ sequence: cursor, event: goneEvent as never })
            } else {
              for (const record of read.records) {
                cursor = record.sequence
                chunk += encode(record)
              }
              if (read.records.length > 0) local?.progressed(cursor)
              if (read.ended) finished = true
            }
            if (chunk !== '') {
              heartbeat?.wrote()
              controller.enqueue(encoder.encode(chunk))
              if (!finished) return
            } else if (!finished) {
              await store.wait(runId, cursor)
            }
          }
          // A cancelled body (the client left while this read waited) is closed already.
          if (attached) controller.close()
        } catch (error) {
          options.onError(error)
          // Never the raw error: a Node adapter writes its message to the client.
          controller.error(new Error('The stream failed on the server; its log has the details.'))
        }
        close()
      },
      cancel() {
        close()
      },
    },
    { highWaterMark: 0 },
  )
  const headers = streamingHeaders({ 'x-run-id': runId }, mediaTypes[format])
  return new Response(body, { status: 200, headers })
}
