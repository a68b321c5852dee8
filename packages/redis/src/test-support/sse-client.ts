/** One server-sent event as the client saw it. */
export interface SentEvent {
  id: string
  event: string
  data: Record<string, unknown>
}

export interface EventStream {
  status: number
  runId: string | null
  events: SentEvent[]
  /** Resolves when the stream ended (closed by the server) or was cancelled. */
  done: Promise<void>
  /** Resolves once `count` events arrived (or the stream ended first). */
  received(count: number): Promise<void>
  cancel(): void
}

/** POSTs `body` (or GETs with `Last-Event-ID`) and parses the SSE response as it arrives. */
export async function openEventStream(
  url: string,
  request: { body?: unknown; lastEventId?: string },
): Promise<EventStream> {
  const controller = new AbortController()
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' }
  if (request.lastEventId !== undefined) headers['last-event-id'] = request.lastEventId
  const response = await fetch(`${url}/stream/events`, {
    method: request.body === undefined ? 'GET' : 'POST',
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: controller.signal,
  })
  const events: SentEvent[] = []
  let wake: (() => void)[] = []
  let ended = false
  const notify = () => {
    const current = wake
    wake = []
    for (const resume of current) resume()
  }
  const done = (async () => {
    if (response.body === null) return
    const decoder = new TextDecoder()
    let buffered = ''
    try {
      for await (const bytes of response.body) {
        buffered += decoder.decode(bytes, { stream: true })
        let end = buffered.indexOf('\n\n')
        while (end >= 0) {
          const frame = buffered.slice(0, end)
          buffered = buffered.slice(end + 2)
          end = buffered.indexOf('\n\n')
          const fields: Record<string, string> = {}
          for (const line of frame.split('\n')) {
            const colon = line.indexOf(':')
            if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart()
          }
          if (fields.data === undefined) continue
          events.push({
            id: fields.id ?? '',
            event: fields.event ?? 'message',
            data: JSON.parse(fields.data),
          })
        }
        notify()
      }
    } catch {
      // Cancelled.
    } finally {
      ended = true
      notify()
    }
  })()
  return {
    status: response.status,
    runId: response.headers.get('x-run-id'),
    events,
    done,
    received: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (events.length >= count || ended) resolve()
          else wake.push(check)
        }
        check()
      }),
    cancel: () => controller.abort(),
  }
}

/** The text the `data` events carry. */
export function textOf(events: readonly SentEvent[]): string {
  return events
    .filter((event) => event.event === 'data')
    .map((event) => String(event.data.data))
    .join('')
}
