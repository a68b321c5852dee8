import type { FetchLike } from '@modelcontextprotocol/client'

/**
 * Wraps `fetch` so that the answer to one POST (a JSON body or the SSE stream of one request) cannot grow
 * past `maxBytes`: a hostile server could otherwise fill memory with one endless result. The long-lived
 * GET stream of server notifications is left alone (the SDK parses it event by event).
 */
export function boundedFetch(inner: FetchLike, maxBytes: number): FetchLike {
  return async (url, init) => {
    const response = await inner(url, init)
    if (init?.method !== 'POST') return response
    return withBody(response, { maxBytes })
  }
}

/** `response` with its body passed through a byte limit and/or a callback run once when the body ends. */
export function withBody(response: Response, options: { maxBytes?: number; onEnd?: () => void }): Response {
  const body = response.body
  if (body === null) {
    options.onEnd?.()
    return response
  }
  const reader = body.getReader()
  let seen = 0
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    options.onEnd?.()
  }
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const step = await reader.read()
        if (step.done) {
          end()
          controller.close()
          return
        }
        seen += step.value.byteLength
        if (options.maxBytes !== undefined && seen > options.maxBytes) {
          end()
          await reader.cancel().catch(() => {})
          controller.error(new Error(`the server's answer is larger than ${options.maxBytes} bytes`))
          return
        }
        controller.enqueue(step.value)
      } catch (error) {
        end()
        controller.error(error)
      }
    },
    async cancel(reason) {
      end()
      await reader.cancel(reason).catch(() => {})
    },
  })
  return new Response(stream, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
}
