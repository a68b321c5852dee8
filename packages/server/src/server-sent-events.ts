import {
  attachStreamControl,
  iterableToBody,
  type StreamControl,
  streamControlKey,
} from './stream-control.js'
import { streamingHeaders } from './streaming-response.js'

/** One SSE message. `data` that is not a string is sent as JSON. */
export interface ServerSentEvent {
  id?: string
  event?: string
  data?: unknown
  /** Tells the client how long to wait before reconnecting (ms). */
  retry?: number
  comment?: string
}

/** Encodes one message in the `text/event-stream` format; line breaks in `data` become several `data:` lines. */
export function encodeServerSentEvent(message: ServerSentEvent | string): string {
  if (typeof message === 'string') return `${dataLines(message)}\n`
  let frame = ''
  if (message.comment !== undefined) frame += `${message.comment.replace(/^/gm, ': ')}\n`
  if (message.id !== undefined) frame += `id: ${singleLine(message.id)}\n`
  if (message.event !== undefined) frame += `event: ${singleLine(message.event)}\n`
  if (message.retry !== undefined) frame += `retry: ${Math.max(0, Math.floor(message.retry))}\n`
  if (message.data !== undefined) {
    // JSON text never holds a line break (they are escaped), so it is one `data:` line as it is.
    frame +=
      typeof message.data === 'string' ? dataLines(message.data) : `data: ${JSON.stringify(message.data)}\n`
  }
  return `${frame}\n`
}

/**
 * The frame of one JSON event whose id and event name are known to be single-line (the agent routes'
 * `<runId>:<n>` ids and event types): the per-event fast path of `encodeServerSentEvent`.
 */
export function encodeJsonServerSentEvent(id: string, event: string, json: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`
}

/** The comment an idle SSE stream sends so that proxies keep it open. */
export const serverSentEventPing = ': ping\n\n'

function dataLines(text: string): string {
  let lines = ''
  for (const line of text.split(/\r\n|\r|\n/)) lines += `data: ${line}\n`
  return lines
}

function singleLine(value: string): string {
  return value.replace(/[\r\n\0]/g, '')
}

export interface EventSourceResponseOptions {
  status?: number
  headers?: HeadersInit
  /** A `: ping` comment is sent after this long without a message, so that proxies keep the stream open. Default 15 000 ms; 0 disables. */
  pingIntervalMs?: number
  onError?: (error: unknown) => void
}

/**
 * A `text/event-stream` response (sse-starlette's `EventSourceResponse`): each value the iterable yields
 * is one message (a string is its data). Idle streams get ping comments; a disconnect returns the iterator.
 */
export class EventSourceResponse extends Response {
  declare readonly [streamControlKey]: StreamControl

  constructor(
    content: AsyncIterable<ServerSentEvent | string> | Iterable<ServerSentEvent | string>,
    options: EventSourceResponseOptions = {},
  ) {
    const pingIntervalMs = options.pingIntervalMs ?? 15_000
    const { body, control } = iterableToBody(encodeAll(content), {
      onError: options.onError ?? ((error) => console.error('[agent-server] event stream failed:', error)),
      heartbeat: pingIntervalMs > 0 ? { intervalMs: pingIntervalMs, chunk: serverSentEventPing } : undefined,
    })
    super(body, {
      status: options.status ?? 200,
      headers: streamingHeaders(options.headers, 'text/event-stream'),
    })
    attachStreamControl(this, control)
  }
}

async function* encodeAll(
  content: AsyncIterable<ServerSentEvent | string> | Iterable<ServerSentEvent | string>,
): AsyncGenerator<string> {
  for await (const message of content) yield encodeServerSentEvent(message)
}
