import { HTTPException as HonoHTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * Thrown from a route handler to answer with an HTTP error, as in FastAPI: the response is
 * `{"detail": <detail>}` with the given status and headers. It is Hono's `HTTPException` (a subclass),
 * so Hono's own error handling answers with the same response.
 */
export class HTTPException extends HonoHTTPException {
  override name = 'HTTPException'
  readonly detail: unknown
  readonly headers: Record<string, string> | undefined

  constructor(status: number, detail?: unknown, headers?: Record<string, string>) {
    super(status as ContentfulStatusCode, { message: typeof detail === 'string' ? detail : `HTTP ${status}` })
    this.detail = detail ?? defaultDetail(status)
    this.headers = headers
  }

  override getResponse(): Response {
    return jsonResponse({ detail: this.detail }, this.status, this.headers)
  }

  toResponse(): Response {
    return this.getResponse()
  }

  static isInstance(value: unknown): value is HTTPException {
    return value instanceof HTTPException || (value as { name?: unknown } | null)?.name === 'HTTPException'
  }
}

/** The response an error carries (`getResponse()`, as Hono's `HTTPException` and ours have), if any. */
export function responseOf(error: unknown): Response | undefined {
  const getResponse = (error as { getResponse?: unknown } | null)?.getResponse
  if (typeof getResponse !== 'function') return undefined
  try {
    const response: unknown = getResponse.call(error)
    return response instanceof Response ? response : undefined
  } catch {
    return undefined
  }
}

export function jsonResponse(value: unknown, status = 200, headers?: HeadersInit): Response {
  const responseHeaders = new Headers(headers)
  responseHeaders.set('content-type', 'application/json')
  return new Response(JSON.stringify(value), { status, headers: responseHeaders })
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

function defaultDetail(status: number): string {
  return reasons[status] ?? `HTTP ${status}`
}
