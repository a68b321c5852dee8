import { positiveOption } from '@agent/core/provider'
import { type Context, Hono } from 'hono'
import { type BodySchema, toValidationErrors } from './body-schema.js'
import { hostPermitted } from './host-check.js'
import { HTTPException, jsonResponse, responseOf } from './http-exception.js'
import {
  buildOpenAPIDocument,
  type DocumentedRoute,
  type OpenAPIDocument,
  type RouteDocumentation,
} from './openapi.js'
import { readJsonBody } from './read-json-body.js'
import { type StreamControl, streamControlOf } from './stream-control.js'

export interface ServerAppOptions {
  title?: string
  version?: string
  description?: string
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number
  /** Streams (streaming responses and agent runs) open at once in this app; past it, 503 with `Retry-After`. Default 256. */
  maxConcurrentStreams?: number
  /** The `Retry-After` seconds sent with a 503. Default 1. */
  retryAfterSeconds?: number
  /** Where the OpenAPI document is served; `null` to not serve it. Default `/openapi.json`. */
  openapiPath?: string | null
  /**
   * Host names (`Host` header) this app answers, e.g. `['agent.example.com', '.internal.example']` (a leading
   * dot: that name and its subdomains), or `['*']` for any. Loopback names are always accepted. Default:
   * a request that reached a loopback address must name a loopback host (DNS rebinding guard); others pass.
   * A refused host gets 421.
   */
  allowedHosts?: readonly string[]
  /** Receives every unexpected error with its full detail (clients only see a safe message). Default `console.error`. */
  onError?: (error: unknown, context: ErrorContext) => void
}

export interface ErrorContext {
  /** Quoted to the client so that a report can be matched with this log line. */
  errorId: string
  method: string
  path: string
}

export interface RouteContext<Body> {
  /** The validated JSON body (routes declared with `body`). */
  body: Body
  request: Request
  params: Record<string, string>
  query: URLSearchParams
  /** Aborts when the client disconnects or the server stops waiting for this request at shutdown. */
  signal: AbortSignal
  /** The Hono context, for anything else. */
  context: Context
}

export interface RouteOptions<Body> extends RouteDocumentation {
  /** A zod 4 schema (or any Standard Schema) for the JSON body: invalid → 422 in FastAPI's shape. */
  body?: BodySchema<Body>
  /** The name of the body schema in `/openapi.json` components (e.g. `PromptRequest`). */
  bodyName?: string
}

/** A handler returns a `Response` (e.g. `StreamingResponse`), or any value, sent as JSON. */
export type RouteHandler<Body> = (context: RouteContext<Body>) => unknown

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * A FastAPI-style app on Hono: routes with validated JSON bodies, `HTTPException`, streaming responses,
 * `/openapi.json`, limits, a cap on concurrent streams and graceful shutdown. `app.fetch` is a web-standard
 * handler (Node, Bun, Deno, Workers, Lambda); `app.hono` mounts into another Hono app.
 */
export class ServerApp {
  readonly hono = new Hono()
  readonly options: Readonly<
    Required<Omit<ServerAppOptions, 'description' | 'onError' | 'openapiPath' | 'allowedHosts'>> & {
      description?: string
      allowedHosts?: readonly string[]
      openapiPath: string | null
    }
  >
  private readonly routes: DocumentedRoute[] = []
  private readonly streams = new Set<StreamControl>()
  private reservedStreams = 0
  private isDraining = false
  /**
   * Made on first use, not per app: on workerd an AbortController belongs to the request that made it and
   * other requests may not touch it, so requests only read `stopReason`.
   */
  private shutdownController: AbortController | undefined
  private stopReason: Error | undefined
  /** One per running handler, made inside its request: workerd forbids using one request's signal in another. */
  private readonly handlerControllers = new Set<AbortController>()
  private idleWaiters: (() => void)[] = []
  private readonly reportError: (error: unknown, context: ErrorContext) => void

  constructor(options: ServerAppOptions = {}) {
    this.options = {
      title: options.title ?? 'Agent server',
      version: options.version ?? '0.1.0',
      description: options.description,
      maxBodyBytes: positiveOption(options.maxBodyBytes, 1024 * 1024, 'maxBodyBytes'),
      maxConcurrentStreams: positiveOption(options.maxConcurrentStreams, 256, 'maxConcurrentStreams'),
      retryAfterSeconds: positiveOption(options.retryAfterSeconds, 1, 'retryAfterSeconds'),
      openapiPath: options.openapiPath === undefined ? '/openapi.json' : options.openapiPath,
      allowedHosts: options.allowedHosts,
    }
    this.reportError =
      options.onError ??
      ((error, context) =>
        console.error(
          `[agent-server] ${context.method} ${context.path} failed (error id ${context.errorId}):`,
          error,
        ))

    this.hono.use(async (context, next) => {
      if (!hostPermitted(context.req.raw, context.env, this.options.allowedHosts)) {
        return jsonResponse(
          {
            detail:
              'This server does not answer for this host name (Host header); see the allowedHosts option.',
          },
          421,
        )
      }
      if (this.isDraining) return this.unavailable('The server is shutting down; retry on another instance.')
      await next()
    })
    this.hono.notFound((c) => {
      // FastAPI answers a known path with the wrong method with 405 and the allowed methods.
      const path = c.req.path
      const allowed = this.routes
        .filter((route) => pathPattern(route.path).test(path))
        .map((route) => route.method)
      if (allowed.length === 0) return jsonResponse({ detail: 'Not Found' }, 404)
      return jsonResponse({ detail: 'Method Not Allowed' }, 405, { allow: [...new Set(allowed)].join(', ') })
    })
    this.hono.onError((error, c) => {
      // Hono's own HTTPException (thrown by bearerAuth, basicAuth, jwt …) and ours carry their response.
      const response = responseOf(error)
      if (response !== undefined) return response
      const errorId = this.logError(error, c.req.raw)
      return jsonResponse({ detail: `Internal Server Error (error id ${errorId}).` }, 500)
    })
    if (this.options.openapiPath !== null) {
      this.hono.get(this.options.openapiPath, () => jsonResponse(this.openapi()))
    }
  }

  /** The web-standard handler: `(request) => Promise<Response>`. */
  readonly fetch = (request: Request, env?: unknown, executionContext?: unknown): Promise<Response> =>
    Promise.resolve(this.hono.fetch(request, env as never, executionContext as never))

  get<Body = undefined>(path: string, handler: RouteHandler<Body>): this
  get<Body = undefined>(path: string, options: RouteOptions<Body>, handler: RouteHandler<Body>): this
  get(path: string, ...rest: unknown[]): this {
    return this.route('GET', path, rest)
  }

  post<Body = unknown>(path: string, handler: RouteHandler<Body>): this
  post<Body = unknown>(path: string, options: RouteOptions<Body>, handler: RouteHandler<Body>): this
  post(path: string, ...rest: unknown[]): this {
    return this.route('POST', path, rest)
  }

  put<Body = unknown>(path: string, options: RouteOptions<Body>, handler: RouteHandler<Body>): this
  put(path: string, ...rest: unknown[]): this {
    return this.route('PUT', path, rest)
  }

  patch<Body = unknown>(path: string, options: RouteOptions<Body>, handler: RouteHandler<Body>): this
  patch(path: string, ...rest: unknown[]): this {
    return this.route('PATCH', path, rest)
  }

  delete<Body = undefined>(path: string, handler: RouteHandler<Body>): this
  delete<Body = undefined>(path: string, options: RouteOptions<Body>, handler: RouteHandler<Body>): this
  delete(path: string, ...rest: unknown[]): this {
    return this.route('DELETE', path, rest)
  }

  /** The OpenAPI 3.1 document of the routes. */
  openapi(): OpenAPIDocument {
    return buildOpenAPIDocument(
      { title: this.options.title, version: this.options.version, description: this.options.description },
      this.routes,
    )
  }

  /** Streams open now (streaming responses being written, agent runs going on). */
  get activeStreams(): number {
    return this.streams.size + this.reservedStreams
  }

  /** True once `shutdown()` started: new requests get 503. */
  get draining(): boolean {
    return this.isDraining
  }

  /** Aborts when shutdown stops waiting for streams. */
  get shutdownSignal(): AbortSignal {
    this.shutdownController ??= new AbortController()
    if (this.stopReason !== undefined) this.shutdownController.abort(this.stopReason)
    return this.shutdownController.signal
  }

  /**
   * Takes a stream slot before starting work that will stream (an agent run), so that a request past the
   * cap is refused before anything starts. Throws a 503 `HTTPException` when the app is full or draining.
   * Call `attach` with the stream's control once it exists, or `release` if it never does.
   */
  reserveStream(): { attach(control: StreamControl): void; release(): void } {
    if (this.isDraining)
      throw this.unavailableException('The server is shutting down; retry on another instance.')
    if (this.activeStreams >= this.options.maxConcurrentStreams) {
      throw this.unavailableException(
        `The server is at its limit of ${this.options.maxConcurrentStreams} concurrent streams; retry shortly.`,
      )
    }
    this.reservedStreams++
    let settled = false
    return {
      attach: (control) => {
        if (settled) return
        settled = true
        this.reservedStreams--
        this.track(control)
      },
      release: () => {
        if (settled) return
        settled = true
        this.reservedStreams--
        this.notifyIfIdle()
      },
    }
  }

  /**
   * Stops accepting requests (503), waits up to `gracePeriodMs` for open streams to finish, then stops
   * the rest (agent runs end with an error frame saying the server is shutting down).
   */
  async shutdown(options: { gracePeriodMs?: number } = {}): Promise<void> {
    this.isDraining = true
    const gracePeriodMs = options.gracePeriodMs ?? 10_000
    if (this.activeStreams > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        this.whenIdle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, gracePeriodMs)
        }),
      ])
      clearTimeout(timer)
    }
    if (this.activeStreams > 0) {
      const reason = new Error('The server is shutting down.')
      this.stopReason = reason
      this.shutdownController?.abort(reason)
      for (const controller of this.handlerControllers) controller.abort(reason)
      for (const control of this.streams) control.stop(reason)
      // A stream that ignores its stop (a generator awaiting something that never settles) is cut when
      // the server closes its connection; do not wait for it forever.
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        this.whenIdle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1000)
        }),
      ])
      clearTimeout(timer)
    }
  }

  /** Logs an unexpected error with its detail and returns the id to quote to the client. */
  logError(error: unknown, request: Request): string {
    const errorId = crypto.randomUUID().slice(0, 8)
    let path = request.url
    try {
      path = new URL(request.url).pathname
    } catch {}
    try {
      this.reportError(error, { errorId, method: request.method, path })
    } catch {
      // A failing logger must not turn into a failed response.
    }
    return errorId
  }

  private whenIdle(): Promise<void> {
    if (this.activeStreams === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private notifyIfIdle(): void {
    if (this.activeStreams !== 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  private track(control: StreamControl): void {
    this.streams.add(control)
    control.closed.then(() => {
      this.streams.delete(control)
      this.notifyIfIdle()
    })
  }

  private unavailableException(detail: string): HTTPException {
    return new HTTPException(503, detail, {
      'retry-after': String(this.options.retryAfterSeconds),
      ...(this.isDraining ? { connection: 'close' } : {}),
    })
  }

  private unavailable(detail: string): Response {
    return this.unavailableException(detail).toResponse()
  }

  /** Aborts when the client goes or when shutdown stops waiting. */
  private handlerController(request: Request): AbortController {
    const controller = new AbortController()
    if (this.stopReason !== undefined) controller.abort(this.stopReason)
    else if (request.signal.aborted) controller.abort(request.signal.reason)
    else
      request.signal.addEventListener('abort', () => controller.abort(request.signal.reason), { once: true })
    this.handlerControllers.add(controller)
    return controller
  }

  private route(method: Method, path: string, rest: unknown[]): this {
    const [options, handler] = (rest.length === 1 ? [{}, rest[0]] : rest) as [
      RouteOptions<unknown>,
      RouteHandler<unknown>,
    ]
    const { body: schema, bodyName, ...documentation } = options
    this.routes.push({ method, path, body: schema, bodyName, documentation })
    this.hono.on(method, path, async (c) => {
      const request = c.req.raw
      let body: unknown
      if (schema !== undefined) {
        const json = await readJsonBody(request, this.options.maxBodyBytes)
        const result = await schema['~standard'].validate(json)
        if (result.issues !== undefined) {
          return jsonResponse({ detail: toValidationErrors(result.issues, json) }, 422)
        }
        body = result.value
      }
      const controller = this.handlerController(request)
      try {
        const value = await handler({
          body,
          request,
          params: c.req.param() as Record<string, string>,
          query: new URL(request.url).searchParams,
          signal: controller.signal,
          context: c,
        })
        return this.toResponse(value)
      } finally {
        this.handlerControllers.delete(controller)
      }
    })
    return this
  }

  private toResponse(value: unknown): Response {
    if (!(value instanceof Response)) return jsonResponse(value ?? null)
    const control = streamControlOf(value)
    if (control === undefined) return value
    if (this.isDraining || this.activeStreams >= this.options.maxConcurrentStreams) {
      // Never started, so stopping it runs none of its work.
      control.stop()
      value.body?.cancel().catch(() => {})
      return this.unavailable(
        this.isDraining
          ? 'The server is shutting down; retry on another instance.'
          : `The server is at its limit of ${this.options.maxConcurrentStreams} concurrent streams; retry shortly.`,
      )
    }
    this.track(control)
    return value
  }
}

const patterns = new Map<string, RegExp>()

/** A RegExp for a Hono route path (`/items/:id`, `/files/*`), to tell 405 from 404. */
function pathPattern(path: string): RegExp {
  let pattern = patterns.get(path)
  if (pattern === undefined) {
    const source = path
      .split(/(:[A-Za-z0-9_]+(?:\{[^}]*\})?\??|\*)/)
      .map((part) => {
        if (part === '*') return '.*'
        if (part.startsWith(':')) return part.endsWith('?') ? '[^/]*' : '[^/]+'
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      })
      .join('')
    pattern = new RegExp(`^${source}/?$`)
    patterns.set(path, pattern)
  }
  return pattern
}
