import type { Agent, AgentEvent, AgentEventType, AgentResult, Prompt } from '@agent/core'
import { z } from 'zod'
import { AgentRun } from './agent-run.js'
import type { BodySchema } from './body-schema.js'
import { HTTPException, jsonResponse, responseOf } from './http-exception.js'
import { InMemoryRunStore } from './in-memory-run-store.js'
import { mountPlayground, type PlaygroundOptions } from './playground/mount-playground.js'
import { type AbortCause, shouldLog, statusOf, toPublicError } from './public-error.js'
import { credentialOwner, type RunOwnerContext } from './run-owner.js'
import { type RunFormat, runResponse } from './run-response.js'
import { isPromise, type RunInfo, type RunStore, RunStoreError } from './run-store.js'
import { type RouteContext, ServerApp, type ServerAppOptions } from './server-app.js'
import { resultText, runToResult, type Streamable } from './streamable.js'

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
   * A Swarm or Graph (any `Streamable`) is served the same way, streaming its multi-agent events.
   */
  agent: (context: AgentFactoryContext<Body>) => Streamable | Promise<Streamable>
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
  /**
   * Bytes of events kept for reconnects over all runs (as JSON text); past it the oldest finished runs are
   * dropped. Default 64 MiB.
   */
  maxRetainedBytes?: number
  /**
   * Where runs' events are kept for readers and reconnects. Default: an `InMemoryRunStore` built from
   * `maxBufferedEvents`, `retainMs`, `maxRetainedRuns` and `maxRetainedBytes` (which a custom store ignores).
   * A shared store (e.g. Redis) lets a client resume, and stop a run, on any replica.
   */
  runStore?: RunStore
  /**
   * Who owns a run: only requests with the same owner may resume or stop it (others get 404). Called with
   * the agent when a run starts, and without it for a resume or a stop. Default: the request's
   * credentials (a digest of its `Authorization` header, else of its `Cookie` header); a run started
   * without either is open to whoever knows its id. Return your user or session id to bind runs to it.
   */
  runOwner?: (context: RunOwnerContext) => string | undefined | Promise<string | undefined>
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
  /**
   * The agent of a stored session (e.g. one whose `FileSessionManager` has this id). Set it to mount
   * `GET /sessions/:sessionId/interrupts` and `POST /sessions/:sessionId/resume`, which continue a run that
   * ended with stop reason `interrupt`, in this process or after a restart.
   */
  sessionAgent?: (context: SessionAgentContext) => Agent | Promise<Agent>
}

/** Sent whatever `omitEvents` says: how a run ended. */
export interface SessionAgentContext {
  /** Letters, digits, `_` and `-`, at most 128 (checked before the factory is called). */
  sessionId: string
  request: Request
}

/** The body of `POST /sessions/:sessionId/resume`: one response per pending interrupt it answers. */
export const ResumeRequest = z.object({
  responses: z.array(z.object({ interruptId: z.string().min(1), response: z.json().optional() })).min(1),
})
export type ResumeRequest = z.infer<typeof ResumeRequest>

const sessionIdPattern = /^[A-Za-z0-9_-]{1,128}$/

const alwaysSent = new Set<string>(['result', 'force_stop', 'error', 'interrupt'])
const noEvents: ReadonlySet<string> = new Set()

const lastEventIdPattern = /^([0-9a-f-]{36}):(\d{1,15})$/

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
  const maxBufferedEvents = Math.max(1, options.maxBufferedEvents ?? 10_000)
  const settings = {
    reconnectGraceMs: nonNegative(options.reconnectGraceMs, 0),
    abandonAfterMs: nonNegative(options.abandonAfterMs, 10_000),
    pingIntervalMs: nonNegative(options.pingIntervalMs, 15_000),
    retryMs: nonNegative(options.retryMs, 1000),
    // Backpressure: a slow reader slows the agent down instead of losing events from the buffer.
    unreadLimit: Math.max(1, Math.min(1024, Math.floor(maxBufferedEvents / 2))),
    omitEvents: new Set<string>((options.omitEvents ?? []).filter((type) => !alwaysSent.has(type))),
  }
  const store =
    options.runStore ??
    new InMemoryRunStore({
      maxEventsPerRun: maxBufferedEvents,
      retainMs: options.retainMs,
      maxRetainedRuns: options.maxRetainedRuns,
      maxRetainedBytes: options.maxRetainedBytes,
    })
  const ownerOf = options.runOwner ?? credentialOwner
  /** Runs going on in this process: their readers here count for grace periods and backpressure. */
  const localRuns = new Map<string, AgentRun>()
  const sweep = () => {
    try {
      const swept = store.sweep()
      if (isPromise(swept))
        swept.catch((error: unknown) => app.logError(error, new Request('http://run-store/sweep')))
    } catch {}
  }

  const errorResponse = (error: unknown, cause: AbortCause | undefined, request: Request): Response => {
    const carried = responseOf(error)
    if (carried !== undefined) return carried
    if (RunStoreError.isInstance(error) && error.code === 'unavailable') {
      app.logError(error, request)
      return jsonResponse({ detail: 'The run store is unavailable; retry shortly.' }, 503, {
        'retry-after': String(app.options.retryAfterSeconds),
      })
    }
    const errorId = shouldLog(error, cause) ? app.logError(error, request) : undefined
    const described = toPublicError(error, errorId, cause)
    const status = statusOf(error, cause)
    const headers: Record<string, string> = {}
    if (status === 503) headers['retry-after'] = String(app.options.retryAfterSeconds)
    if (status === 429)
      headers['retry-after'] = String(Math.max(1, Math.ceil((described.retryAfterMs ?? 1000) / 1000)))
    return jsonResponse({ detail: described.message, error: described }, status, headers)
  }

  const respond = (runId: string, after: number, format: RunFormat, request: Request): Response =>
    runResponse({
      store,
      runId,
      after,
      format,
      request,
      local: localRuns.get(runId),
      retryMs: settings.retryMs,
      pingIntervalMs: settings.pingIntervalMs,
      onError: (error) => app.logError(error, request),
    })

  /** What a route runs: the request's agent and prompt by default, a session's agent and a resume otherwise. */
  type Target = () => Promise<{ agent: Streamable; prompt: Prompt }>
  const bodyTarget =
    (context: RouteContext<Body>): Target =>
    async () => ({
      agent: await options.agent({ body: context.body, request: context.request }),
      prompt: toPrompt(context.body),
    })

  const startRun = async (
    context: RouteContext<unknown>,
    format: RunFormat,
    target: Target,
  ): Promise<Response> => {
    const { request } = context
    sweep()
    const lastEventId = request.headers.get('last-event-id')
    if (lastEventId !== null && format === 'sse') return resume(lastEventId, request)

    const slot = app.reserveStream()
    let run: AgentRun
    try {
      const { agent, prompt } = await target()
      const owner = await ownerOf({ request, agent })
      // A Swarm's or Graph's events are plain JSON with a `type` like an agent's; the run only relays them.
      const start = (signal: AbortSignal) =>
        agent.stream(prompt, { signal }) as AsyncGenerator<AgentEvent, AgentResult>
      run = new AgentRun(start, {
        store,
        retain: format === 'sse',
        owner,
        unreadLimit: settings.unreadLimit,
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
    localRuns.set(run.id, run)
    void run.closed.then(() => localRuns.delete(run.id))
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
    return respond(run.id, 0, format, request)
  }

  /** The kept, retained run `runId` if the request's owner may use it (404 otherwise, as for no run). */
  const ownedRun = async (runId: string, request: Request): Promise<RunInfo | undefined> => {
    const info = await store.info(runId)
    if (info === undefined || !info.retain) return undefined
    if (info.owner !== undefined && info.owner !== (await ownerOf({ request }))) {
      throw new HTTPException(404, 'No run with this id is kept.')
    }
    return info
  }

  const resume = async (lastEventId: string, request: Request): Promise<Response> => {
    const match = lastEventIdPattern.exec(lastEventId.trim())
    if (match === null) {
      throw new HTTPException(400, 'Last-Event-ID is not an event id this server sent.')
    }
    const runId = match[1]!
    const after = Number(match[2])
    const gone = () =>
      new HTTPException(
        410,
        'The events after this Last-Event-ID are no longer kept; start a new request without Last-Event-ID.',
      )
    try {
      if ((await ownedRun(runId, request)) === undefined) throw gone()
      const read = await store.read(runId, after)
      if (after > read.lastSequence)
        throw new HTTPException(400, 'Last-Event-ID is ahead of the run it names.')
    } catch (error) {
      if (RunStoreError.isInstance(error) && error.code !== 'unavailable') throw gone()
      if (RunStoreError.isInstance(error)) return errorResponse(error, undefined, request)
      throw error
    }
    return respond(runId, after, 'sse', request)
  }

  const routeOptions = { body, bodyName, tags: ['agent'] }

  function addSessionRoutes(sessionAgent: NonNullable<AgentRoutesOptions<Body>['sessionAgent']>): void {
    const agentOf = async (params: Record<string, string>, request: Request): Promise<Agent> => {
      const sessionId = params.sessionId ?? ''
      if (!sessionIdPattern.test(sessionId)) {
        throw new HTTPException(400, 'A session id is 1 to 128 letters, digits, "_" or "-".')
      }
      const agent = await sessionAgent({ sessionId, request })
      // Read what another process (or an earlier request) saved; a busy agent answers 409.
      if (agent.sessionManager !== undefined) await agent.restoreSession()
      return agent
    }
    app.get(
      `${prefix}/sessions/:sessionId/interrupts`,
      {
        summary: 'The interrupts a session waits on',
        tags: ['sessions'],
        responses: { 409: 'The agent is busy' },
      },
      async ({ params, request }) => {
        try {
          const agent = await agentOf(params, request)
          return { sessionId: params.sessionId, interrupts: agent.interrupts }
        } catch (error) {
          return errorResponse(error, undefined, request)
        }
      },
    )
    app.post(
      `${prefix}/sessions/:sessionId/resume`,
      {
        body: ResumeRequest,
        bodyName: 'ResumeRequest',
        tags: ['sessions'],
        summary: 'Answer the pending interrupts and continue the run (JSON, or SSE / NDJSON by Accept)',
        produces: ['application/json', 'text/event-stream', 'application/x-ndjson'],
        responses: { 400: 'No such pending interrupt', 409: 'The agent is busy', 503: 'Server busy' },
      },
      (context) => {
        const target: Target = async () => ({
          agent: await agentOf(context.params, context.request),
          prompt: context.body.responses.map(({ interruptId, response }) => ({
            interruptResponse: { interruptId, response: response ?? null },
          })),
        })
        const accept = context.request.headers.get('accept')?.toLowerCase() ?? ''
        const streams =
          accept.includes('text/event-stream') || accept.includes('ndjson') || accept.includes('jsonl')
        return streams
          ? startRun(context, formatFor(context.request, 'sse'), target)
          : invokeJson(context, target)
      },
    )
  }

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
    (context) => invokeJson(context, bodyTarget(context)),
  )

  async function invokeJson(context: RouteContext<unknown>, target: Target): Promise<unknown> {
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
      const { agent, prompt } = await target()
      const result = await runToResult(agent, prompt, controller.signal)
      return { text: resultText(result), ...(result as object) }
    } catch (error) {
      return errorResponse(error, cause, request)
    } finally {
      request.signal.removeEventListener('abort', onAbort)
      resolveClosed()
    }
  }

  app.post(
    `${prefix}/stream`,
    {
      ...routeOptions,
      summary: 'Stream the answer as text (or NDJSON / SSE events by Accept)',
      produces: ['text/plain', 'application/x-ndjson', 'text/event-stream'],
      responses: { 409: 'The agent is busy', 503: 'Server busy' },
    },
    (context) => startRun(context, formatFor(context.request, 'text'), bodyTarget(context)),
  )

  app.post(
    `${prefix}/stream/events`,
    {
      ...routeOptions,
      summary: 'Stream every agent event as SSE; reconnect with Last-Event-ID to resume',
      produces: ['text/event-stream', 'application/x-ndjson'],
      responses: { 409: 'The agent is busy', 410: 'Events no longer kept', 503: 'Server busy' },
    },
    (context) => startRun(context, formatFor(context.request, 'sse'), bodyTarget(context)),
  )

  app.get(
    `${prefix}/stream/events`,
    {
      summary: 'Resume an SSE stream (EventSource reconnects) from Last-Event-ID',
      produces: ['text/event-stream'],
      responses: {
        400: 'Malformed Last-Event-ID',
        404: 'The run belongs to someone else',
        410: 'Events no longer kept',
      },
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
      produces: [],
      successStatus: 204,
      responses: { 404: 'No such run' },
    },
    async ({ params, request }) => {
      const runId = params.runId ?? ''
      if ((await ownedRun(runId, request)) === undefined) {
        throw new HTTPException(404, 'No run with this id is kept.')
      }
      await store.stop(runId)
      return new Response(null, { status: 204 })
    },
  )

  if (options.sessionAgent !== undefined) addSessionRoutes(options.sessionAgent)

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
    const prefix = (options.prefix ?? '').replace(/\/+$/, '')
    mountPlayground(app, {
      streamPath: `${prefix}/stream/events`,
      ...(options.sessionAgent !== undefined && { resumePath: `${prefix}/sessions/:sessionId/resume` }),
      ...(options.playground === true ? {} : options.playground),
    })
  }
  return app
}

function formatFor(request: Request, fallback: RunFormat): RunFormat {
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
