import {
  attachStreamControl,
  iterableToBody,
  type StreamControl,
  streamControlKey,
} from './stream-control.js'

export interface StreamingResponseOptions {
  /** Default `text/plain`; `charset=utf-8` is added to text types. */
  mediaType?: string
  status?: number
  headers?: HeadersInit
  /** Called when the iterable throws mid-stream (the client then sees a cut stream). Default: `console.error`. */
  onError?: (error: unknown) => void
}

/**
 * FastAPI's `StreamingResponse`: each value the iterable yields is written as it comes. Nothing is
 * buffered, and when the client disconnects the iterator is returned, so a `for await` over
 * `agent.stream()` inside it stops the agent (its model request and tools are aborted).
 */
export class StreamingResponse extends Response {
  declare readonly [streamControlKey]: StreamControl

  constructor(
    content: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
    options: StreamingResponseOptions = {},
  ) {
    const { body, control } = iterableToBody(content, {
      onError: options.onError ?? ((error) => console.error('[agent-server] stream failed:', error)),
    })
    super(body, {
      status: options.status ?? 200,
      headers: streamingHeaders(options.headers, options.mediaType),
    })
    attachStreamControl(this, control)
  }
}

export function streamingHeaders(init: HeadersInit | undefined, mediaType = 'text/plain'): Headers {
  const headers = new Headers(init)
  if (!headers.has('content-type')) {
    headers.set(
      'content-type',
      mediaType.startsWith('text/') && !mediaType.includes('charset')
        ? `${mediaType}; charset=utf-8`
        : mediaType,
    )
  }
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-cache')
  // Asks nginx-style proxies not to buffer the stream.
  headers.set('x-accel-buffering', 'no')
  return headers
}
