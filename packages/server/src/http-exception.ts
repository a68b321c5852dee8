/**
 * Thrown from a route handler to answer with an HTTP error, as in FastAPI:
 * the response is `{"detail": <detail>}` with the given status and headers.
 */
export class HTTPException extends Error {
  override name = 'HTTPException'
  readonly status: number
  readonly detail: unknown
  readonly headers: Record<string, string> | undefined

  constructor(status: number, detail?: unknown, headers?: Record<string, string>) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
    this.status = status
    this.detail = detail ?? defaultDetail(status)
    this.headers = headers
  }

  toResponse(): Response {
    return jsonResponse({ detail: this.detail }, this.status, this.headers)
  }

  static isInstance(value: unknown): value is HTTPException {
    return value instanceof HTTPException || (value as { name?: unknown } | null)?.name === 'HTTPException'
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
