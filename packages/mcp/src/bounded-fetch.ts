import type { FetchLike } from '@modelcontextprotocol/client'

/**
 * Wraps `fetch` so that the answer to one POST (a JSON body or the SSE stream of one request) cannot grow
 * past `maxBytes`: a hostile server could otherwise fill memory with one endless result. The long-lived
 * GET stream of server notifications is left alone (the SDK parses it event by event).
 */
export function boundedFetch(inner: FetchLike, maxBytes: number): FetchLike {
  return async (url, init) => {
    const response = await inner(url, init)
    if (init?.method !== 'POST' || response.body === null) return response
    let seen = 0
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength
        if (seen > maxBytes) controller.error(new Error(`the server's answer is larger than ${maxBytes} bytes`))
        else controller.enqueue(chunk)
      },
    })
    return new Response(response.body.pipeThrough(limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}
