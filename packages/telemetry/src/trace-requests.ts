import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { isTracingEnabled } from './tracing-enabled.js'

/** The little of a Hono context this middleware reads, so that it needs no Hono import. */
export interface RequestContext {
  req: { raw: Request; matchedRoutes?: readonly { path: string; method: string }[] }
  res?: Response
}

export interface TraceRequestsOptions {
  tracerProvider?: TracerProvider
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
}

/**
 * A middleware for `@agent/server` (`app.hono.use(traceRequests())`) that continues an incoming W3C
 * `traceparent` (through the registered propagator) with a SERVER span per request, and runs the route
 * inside it, so that the agent's `invoke_agent` span is its child. The span covers the request until
 * the response starts; a streamed answer's agent spans end later, under it.
 */
export function traceRequests(options: TraceRequestsOptions = {}) {
  const name = '@agent/telemetry'
  return async (requestContext: RequestContext, next: () => Promise<void>): Promise<void> => {
    const provider = options.tracerProvider ?? trace.getTracerProvider()
    if (options.tracerProvider === undefined && !isTracingEnabled(provider, name)) return next()
    const request = requestContext.req.raw
    const parent = propagation.extract(context.active(), request.headers, headerGetter)
    const span = provider.getTracer(name).startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'url.path': new URL(request.url).pathname },
      },
      parent,
    )
    try {
      await context.with(trace.setSpan(parent, span), next)
      // The route is known once routing ran: the last matched handler that is not a wildcard middleware.
      const route = requestContext.req.matchedRoutes?.findLast((matched) => !matched.path.includes('*'))?.path
      if (route !== undefined) {
        span.updateName(`${request.method} ${route}`)
        span.setAttribute('http.route', route)
      }
      const status = requestContext.res?.status
      if (status !== undefined) {
        span.setAttribute('http.response.status_code', status)
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      }
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR })
      throw error
    } finally {
      span.end()
    }
  }
}
