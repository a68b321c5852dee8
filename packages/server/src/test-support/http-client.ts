import { request as httpRequest, type IncomingMessage } from 'node:http'

/** A streaming response read chunk by chunk over a real socket, closable mid-stream. */
export interface OpenStream {
  status: number
  headers: IncomingMessage['headers']
  /** Everything received so far. */
  text: string
  /** Resolves once the received text satisfies `test` (rejects if the response ends first). */
  waitFor(test: (text: string) => boolean): Promise<string>
  /** Resolves with the whole body when the response ends. */
  done: Promise<string>
  /** Closes the connection, as a browser tab or a stopped `fetch` does. */
  disconnect(): void
}

/** POSTs JSON (or GETs) with node:http, keeping the response open for incremental reads. */
export function openStream(
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
    const request = httpRequest(
      url,
      {
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        agent: false,
      },
      (response) => {
        response.setEncoding('utf8')
        const waiters: {
          test: (text: string) => boolean
          resolve: (text: string) => void
          reject: (error: Error) => void
        }[] = []
        let ended = false
        let resolveDone!: (text: string) => void
        let rejectDone!: (error: Error) => void
        const done = new Promise<string>((resolveBody, rejectBody) => {
          resolveDone = resolveBody
          rejectDone = rejectBody
        })
        done.catch(() => {})
        const stream: OpenStream = {
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: '',
          waitFor(test) {
            if (test(stream.text)) return Promise.resolve(stream.text)
            if (ended)
              return Promise.reject(new Error(`The response ended without the awaited text: ${stream.text}`))
            return new Promise((resolveWait, rejectWait) =>
              waiters.push({ test, resolve: resolveWait, reject: rejectWait }),
            )
          },
          done,
          disconnect() {
            request.destroy()
            response.destroy()
          },
        }
        const check = () => {
          for (const waiter of [...waiters]) {
            if (waiter.test(stream.text)) {
              waiters.splice(waiters.indexOf(waiter), 1)
              waiter.resolve(stream.text)
            }
          }
        }
        response.on('data', (chunk: string) => {
          stream.text += chunk
          check()
        })
        const finish = (error?: Error) => {
          if (ended) return
          ended = true
          for (const waiter of waiters.splice(0)) {
            waiter.reject(new Error(`The response ended without the awaited text: ${stream.text}`))
          }
          if (error === undefined) resolveDone(stream.text)
          else rejectDone(error)
        }
        response.on('end', () => finish())
        response.on('error', (error) => finish(error))
        response.on('close', () => finish(new Error('closed before the end')))
        resolve(stream)
      },
    )
    request.on('error', reject)
    request.end(payload)
  })
}

/** Parses an SSE body into its messages (comments dropped). */
export function parseServerSentEvents(
  text: string,
): { id?: string; event?: string; data?: string; retry?: string }[] {
  const messages: { id?: string; event?: string; data?: string; retry?: string }[] = []
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue
    const message: { id?: string; event?: string; data?: string; retry?: string } = {}
    let hasField = false
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = line.slice(0, colon)
      const value = line.slice(colon + 1).replace(/^ /, '')
      if (field === 'data') message.data = message.data === undefined ? value : `${message.data}\n${value}`
      else if (field === 'id' || field === 'event' || field === 'retry') message[field] = value
      hasField = true
    }
    if (hasField) messages.push(message)
  }
  return messages
}
