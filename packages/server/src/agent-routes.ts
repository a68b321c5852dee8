import type { Agent, AgentEventType, Prompt } from '@agent/core'
import { z } from 'zod'
import { AgentRun, type RunRecord } from './agent-run.js'
import type { BodySchema } from './body-schema.js'
import { HTTPException, jsonResponse } from './http-exception.js'
import { mountPlayground, type PlaygroundOptions } from './playground/mount-playground.js'
import { type AbortCause, shouldLog, statusOf, toPublicError } from './public-error.js'
import { type RouteContext, ServerApp, type ServerAppOptions } from './server-app.js'
import { streamingHeaders } from './streaming-response.js'

/** The seed's request body: `{"prompt": "..."}`. */
export const PromptRequest = z.object({ prompt: z.string() })
export type PromptRequest = z.infer<typeof PromptRequest>

export interface AgentFactoryContext<Body> {
  body: Body
  request: Request
}

export interface AgentRoutesOptions<Body = PromptRequest> {
  /**
   * Makes the agent for one request. Return a new `Agent` each time so that requests never share a
   * conversation; return the same agent for a session id (from your body or auth) to continue one.
   */
  agent: (context: AgentFactoryContext<Body>) => Agent | Promise<Agent>
  /** The JSON body schema. Default `PromptRequest` (`{ prompt: string }`). */
  body?: BodySchema<Body>
  /** The body's name in `/openapi.json`. Default `PromptRequest`. */
  bodyName?: string
  /** The prompt from the body. Default `body.prompt`. */
  prompt?: (body: Body) => Prompt
  /** Mount point of the routes, e.g. `/agent`. Default none. */
  prefix?: string
  /**
   * An SSE run whose client disconnected keeps going this long for a `Last-Event-ID` reconnect, then is
   * aborted. Default 0: a disconnect aborts the run at once (a reconnect still gets what was produced).
   * Raise it to ride out network drops; `DELETE /stream/events/:runId` then stops a run at once.
   */
  reconnectGraceMs?: number
  /**
   * A run that has not ended this long after it was aborted (a hook or tool of the app's that ignores its
   * signal) is abandoned: its stream slot is released and its readers get an error. Default 10 000 ms.
   */
  abandonAfterMs?: number
  /** How long the events of a finished SSE run stay available for a reconnect. Default 60 000 ms. */
  retainMs?: number
  /** Events kept per SSE run for reconnects; older ones are dropped. Default 10 000. */
  maxBufferedEvents?: number
  /** Finished SSE runs kept for reconnects, at most. Default 1000. */
  maxRetainedRuns?: number
  /** A `: ping` comment after this long without an SSE event. Default 15 000 ms; 0 disables. */
  pingIntervalMs?: number
  /** The `retry:` hint (ms) sent at the start of an SSE stream. Default 1000. */
  retryMs?: number
  /**
   * Event types not sent to SSE and NDJSON clients, e.g. `['model_stream']` for a UI that renders `data`,
   * tool and lifecycle events only (it more than halves the bytes per token). `result`, `force_stop` and
   * errors are always sent. Default: none omitted.
   */
  omitEvents?: readonly AgentEventType[]
}

type Format = 'text' | 'sse' | 'ndjson'

/** Sent whatever `omitEvents` says: how a run ended. */
const alwaysSent = new Set<string>(['result', 'force_stop', 'error'])
const noEvents: ReadonlySet<string> = new Set()

const lastEventIdPattern = /^([0-9a-f-]{36}):(\d{1,15})$/
const encoder = new TextEncoder()

/**
 * Adds the agent routes to an app: `POST /invoke` (JSON result), `POST /stream` (text chunks),
 * `POST /stream/events` (SSE with ids and `Last-Event-ID` resume), NDJSON by `Accept`, `GET /health`.
 */
export function addAgentRoutes<Body = PromptRequest>(
  app: ServerApp,
  options: AgentRoutesOptions<Body>,
): ServerApp {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '')
  const body = (options.body ?? PromptRequest) as BodySchema<Body>
  const bodyName = options.bodyName ?? (options.body === undefined ? 'PromptRequest' : undefined)
  const toPrompt = options.prompt ?? ((value: Body) => (value as { prompt: Prompt }).prompt)
  const settings = {
    reconnectGraceMs: nonNegative(options.reconnectGraceMs, 0),
    abandonAfterMs: nonNegative(options.abandonAfterMs, 10_000),
    retainMs: nonNegative(options.retainMs, 60_000),
    maxBufferedEvents: Math.max(1, options.maxBufferedEvents ?? 10_000),
    maxRetainedRuns: Math.max(0, options.maxRetainedRuns ?? 1000),
    pingIntervalMs: nonNegative(options.pingIntervalMs, 15_000),
    retryMs: nonNegative(options.retryMs, 1000),
    omitEvents: new Set<string>((options.omitEvents ?? []).filter((type) => !alwaysSent.has(type))),
  }
  const retained = new Map<string, AgentRun>()
  let lastSweep = 0

  const sweep = () => {
    const now = Date.now()
    if (now - lastSweep < 1000 && retained.size <= settings.maxRetainedRuns) return
    lastSweep = now
    for (const [id, run] of retained) {
      if (run.endedAt !== undefined && now - run.endedAt >= settings.retainMs) retained.delete(id)
    }
    if (retained.size > settings.maxRetainedRuns) {
      for (const [id, run] of retained) {
        if (retained.size <= settings.maxRetainedRuns) break
        if (run.ended) retained.delete(id)
      }
    }
  }

  const errorResponse = (error: unknown, cause: AbortCause | undefined, request: Request): Response => {
    if (HTTPException.isInstance(error)) return error.toResponse()
    const errorId = shouldLog(error, cause) ? app.logError(error, request) : undefined
    const described = toPublicError(error, errorId, cause)
    const status = statusOf(error, cause)
    const headers: Record<string, string> = {}
    if (status === 503) headers['retry-after'] = String(app.options.retryAfterSeconds)
    if (status === 429)
      headers['retry-after'] = String(Math.max(1, Math.ceil((described.retryAfterMs ?? 1000) / 1000)))
    return jsonResponse({ detail: described.message, error: described }, status, headers)
  }

  const startRun = async (context: RouteContext<Body>, format: Format): Promise<Response> => {
    const { request } = context
    sweep()
    const lastEventId = request.headers.get('last-event-id')
    if (lastEventId !== null && format === 'sse') return resume(lastEventId, request)

    const slot = app.reserveStream()
    let run: AgentRun
    try {
      const agent = await options.agent({ body: context.body, request })
      run = new AgentRun((signal) => agent.stream(toPrompt(context.body), { signal }), {
        maxBufferedEvents: format === 'sse' ? settings.maxBufferedEvents : Number.POSITIVE_INFINITY,
        discardRead: format !== 'sse',
        omitEvents: format === 'text' ? noEvents : settings.omitEvents,
        reconnectGraceMs: format === 'sse' ? settings.reconnectGraceMs : 0,
        abandonAfterMs: settings.abandonAfterMs,
        describeError: (error, cause) =>
          toPublicError(error, shouldLog(error, cause) ? app.logError(error, request) : undefined, cause),
      })
    } catch (error) {
      slot.release()
      return errorResponse(error, undefined, request)
    }
    slot.attach(run.control)
    // A client that leaves before the first event never got an id to resume with.
    const onEarlyAbort = () => run.abort('disconnect')
    if (request.signal.aborted) onEarlyAbort()
    request.signal.addEventListener('abort', onEarlyAbort, { once: true })
    try {
      await run.begin()
    } catch (error) {
      return errorResponse(error, undefined, request)
    } finally {
      request.signal.removeEventListener('abort', onEarlyAbort)
    }
    if (format === 'sse') retained.set(run.id, run)
    return runResponse(run, 0, format, request)
  }

  const resume = (lastEventId: string, request: Request): Response => {
    const match = lastEventIdPattern.exec(lastEventId.trim())
    if (match === null) {
      throw new HTTPException(400, 'Last-Event-ID is not an event id this server sent.')
    }
    const run = retained.get(match[1]!)
    const after = Number(match[2])
    if (run === undefined || run.recordAfter(after) === 'gone') {
      throw new HTTPException(
        410,
        'The events after this Last-Event-ID are no longer kept; start a new request without Last-Event-ID.',
      )
    }
    if (after > run.lastSequence) throw new HTTPException(400, 'Last-Event-ID is ahead of the run it names.')
    return runResponse(run, after, 'sse', request)
  }

  const runResponse = (run: AgentRun, after: number, format: Format, request: Request): Response => {
    let cursor = after
    let attached = true
    let wroteText = false
    let wroteSincePing = false
    let ping: ReturnType<typeof setInterval> | undefined
    const detach = () => {
      if (!attached) return
      attached = false
      clearInterval(ping)
      request.signal.removeEventListener('abort', detach)
      run.detach()
    }
    run.attach()
    if (request.signal.aborted) detach()
    else request.signal.addEventListener('abort', detach, { once: true })

    const encode = (record: RunRecord): string => {
      const event = record.event
      if (format === 'sse') {
        return `id: ${run.id}:${record.sequence}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
      }
      if (format === 'ndjson') return `${JSON.stringify(event)}\n`
      if (event.type === 'data') {
        wroteText = true
        return event.data
      }
      if (event.type === 'error') return `${wroteText ? '\n' : ''}Error: ${event.error.message}\n`
      return ''
    }

    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          if (format !== 'sse') return
          if (after === 0) controller.enqueue(encoder.encode(`retry: ${settings.retryMs}\n\n`))
          if (settings.pingIntervalMs > 0) {
            ping = setInterval(() => {
              if (!wroteSincePing && attached) {
                try {
                  controller.enqueue(encoder.encode(': ping\n\n'))
                } catch {}
              }
              wroteSincePing = false
            }, settings.pingIntervalMs)
          }
        },
        async pull(controller) {
          while (attached) {
            // Everything already produced goes out in one write.
            let chunk = ''
            let record = run.recordAfter(cursor)
            while (record !== undefined && record !== 'gone') {
              cursor = record.sequence
              chunk += encode(record)
              record = run.recordAfter(cursor)
            }
            if (chunk !== '') {
              wroteSincePing = true
              controller.enqueue(encoder.encode(chunk))
              return
            }
            if (record === 'gone' || run.ended) {
              if (record === 'gone') {
                const gone = {
                  type: 'error',
                  error: { name: 'Gone', message: 'Events were dropped from the buffer.' },
                }
                controller.enqueue(encoder.encode(encode({ sequence: cursor, event: gone as never })))
              }
              controller.close()
              detach()
              return
            }
            await run.changed()
          }
        },
        cancel() {
          detach()
        },
      },
      { highWaterMark: 0 },
    )
    const mediaType =
      format === 'sse' ? 'text/event-stream' : format === 'ndjson' ? 'application/x-ndjson' : 'text/plain'
    const headers = streamingHeaders({ 'x-run-id': run.id }, mediaType)
    return new Response(body, { status: 200, headers })
  }

  const routeOptions = { body, bodyName, tags: ['agent'] }

  app.post(
    `${prefix}/invoke`,
    {
      ...routeOptions,
      summary: 'Run the agent and return its result as JSON',
      responses: {
        409: 'The agent is busy',
        429: 'Provider throttled',
        502: 'Provider failed',
        503: 'Server busy',
      },
    },
    async (context) => {
      const { request } = context
      const slot = app.reserveStream()
      const controller = new AbortController()
      let cause: AbortCause | undefined
      let resolveClosed!: () => void
      const closed = new Promise<void>((resolve) => {
        resolveClosed = resolve
      })
      const onAbort = () => {
        cause ??= 'disconnect'
        controller.abort()
      }
      slot.attach({
        closed,
        stop: () => {
          cause ??= 'shutdown'
          controller.abort(new Error('The server is shutting down.'))
        },
      })
      if (request.signal.aborted) onAbort()
      else request.signal.addEventListener('abort', onAbort, { once: true })
      try {
        const agent = await options.agent({ body: context.body, request })
        const result = await agent.invoke(toPrompt(context.body), { signal: controller.signal })
        return { text: String(result), ...result }
      } catch (error) {
        return errorResponse(error, cause, request)
      } finally {
        request.signal.removeEventListener('abort', onAbort)
        resolveClosed()
      }
    },
  )

  app.post(
    `${prefix}/stream`,
    {
      ...routeOptions,
      summary: 'Stream the answer as text (or NDJSON / SSE events by Accept)',
      produces: ['text/plain', 'application/x-ndjson', 'text/event-stream'],
      responses: { 409: 'The agent is busy', 503: 'Server busy' },
    },
    (context) => startRun(context, formatFor(context.request, 'text')),
  )

  app.post(
    `${prefix}/stream/events`,
    {
      ...routeOptions,
      summary: 'Stream every agent event as SSE; reconnect with Last-Event-ID to resume',
      produces: ['text/event-stream', 'application/x-ndjson'],
      responses: { 409: 'The agent is busy', 410: 'Events no longer kept', 503: 'Server busy' },
    },
    (context) => startRun(context, formatFor(context.request, 'sse')),
  )

  app.get(
    `${prefix}/stream/events`,
    {
      summary: 'Resume an SSE stream (EventSource reconnects) from Last-Event-ID',
      produces: ['text/event-stream'],
    },
    ({ request }) => {
      sweep()
      const lastEventId = request.headers.get('last-event-id')
      if (lastEventId === null) {
        throw new HTTPException(400, 'Send Last-Event-ID to resume; start a stream with POST.')
      }
      return resume(lastEventId, request)
    },
  )

  app.delete(
    `${prefix}/stream/events/:runId`,
    {
      summary: 'Stop a run now (the stop button, when runs outlive disconnects for reconnects)',
      responses: { 404: 'No such run' },
    },
    ({ params }) => {
      const run = retained.get(params.runId ?? '')
      if (run === undefined) throw new HTTPException(404, 'No run with this id is kept.')
      run.abort('cancel')
      return new Response(null, { status: 204 })
    },
  )

  app.get(`${prefix}/health`, { summary: 'Liveness and load' }, () => ({
    status: 'ok',
    activeStreams: app.activeStreams,
  }))

  return app
}

/** A `ServerApp` with the agent routes: the shortest way to serve an agent. */
export function createAgentServer<Body = PromptRequest>(
  options: AgentRoutesOptions<Body> &
    ServerAppOptions & {
      /** Serve the browser playground (opt-in): `true` for `/`, or its options. Default off. */
      playground?: boolean | PlaygroundOptions
    },
): ServerApp {
  const withPlayground = options.playground !== undefined && options.playground !== false
  // The playground resumes a dropped connection, so its runs wait briefly for the reconnect; its Stop
  // button ends a run at once through `DELETE /stream/events/:runId`.
  const app = addAgentRoutes(new ServerApp(options), {
    ...options,
    reconnectGraceMs: options.reconnectGraceMs ?? (withPlayground ? 2000 : 0),
  })
  if (withPlayground) {
    const streamPath = `${(options.prefix ?? '').replace(/\/+$/, '')}/stream/events`
    mountPlayground(app, { streamPath, ...(options.playground === true ? {} : options.playground) })
  }
  return app
}

function formatFor(request: Request, fallback: Format): Format {
  const accept = request.headers.get('accept')?.toLowerCase() ?? ''
  if (accept.includes('application/x-ndjson') || accept.includes('application/jsonl')) return 'ndjson'
  if (accept.includes('text/event-stream')) return 'sse'
  if (accept.includes('text/plain')) return 'text'
  return fallback
}

function nonNegative(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!(value >= 0)) throw new RangeError(`Expected a number >= 0, got ${value}.`)
  return value
}
