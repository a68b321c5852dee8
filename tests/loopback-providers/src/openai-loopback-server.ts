import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as the server received it. */
export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  /** The parsed JSON body (undefined when the body was not JSON). */
  body: Record<string, unknown> | undefined
}

/** How the server answers one request. */
export type Reply =
  /** `text/event-stream` bytes, written as given (in pieces of `pieceSize` bytes when set), then the end. */
  | { sse: string | Buffer; pieceSize?: number; headers?: Record<string, string> }
  /** Sends these bytes as a 200 event stream, then keeps the connection open until the client closes it. */
  | { sseThenHang: string | Buffer }
  /** Sends these bytes as a 200 event stream, then destroys the socket (a cut connection). */
  | { sseThenDestroy: string | Buffer }
  /** Never answers: no status, no headers (for timeouts). */
  | { noAnswer: true }
  /** A plain response: an error status with its body. */
  | { status: number; body: string; headers?: Record<string, string> }
  /** Decides the reply from the request (a server that behaves like a model). */
  | ((request: RecordedRequest) => Reply)

/**
 * A loopback HTTP server that speaks the OpenAI wire protocol from a script of replies, one per request,
 * and records every request so tests can assert what the real client sent.
 */
export class LoopbackOpenAIServer {
  readonly requests: RecordedRequest[] = []
  private readonly replies: Reply[] = []
  private responder: ((request: RecordedRequest) => Reply) | undefined
  private readonly disconnectWaiters: (() => void)[] = []
  private disconnects = 0
  private readonly server: Server

  private constructor(server: Server) {
    this.server = server
  }

  static async start(): Promise<LoopbackOpenAIServer> {
    let instance: LoopbackOpenAIServer | undefined
    const server = createServer((request, response) => {
      instance!.handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)))
      })
    })
    instance = new LoopbackOpenAIServer(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return instance
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  /** The base URL to give the `openai` client. */
  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`
  }

  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): this {
    this.replies.push(...replies)
    return this
  }

  /** Answers every request that finds no queued reply with `responder`. */
  respondWith(responder: (request: RecordedRequest) => Reply): this {
    this.responder = responder
    return this
  }

  /** Drops the replies not used yet. */
  clearReplies(): void {
    this.replies.length = 0
  }

  /** Replies not used yet. */
  get pendingReplies(): number {
    return this.replies.length
  }

  /** Connections the client closed while the server was still streaming on them. */
  get disconnectCount(): number {
    return this.disconnects
  }

  /** Resolves when a client has closed a connection the server was still streaming on (counting from 1). */
  clientDisconnected(count = 1): Promise<void> {
    if (this.disconnects >= count) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (this.disconnects >= count) resolve()
        else this.disconnectWaiters.push(check)
      }
      this.disconnectWaiters.push(check)
    })
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    this.server.close()
    await once(this.server, 'close')
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    let body: Record<string, unknown> | undefined
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      body = undefined
    }
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body,
    }
    this.requests.push(recorded)
    response.on('close', () => {
      if (!response.writableFinished) {
        this.disconnects++
        for (const waiter of this.disconnectWaiters.splice(0)) waiter()
      }
    })

    let reply = this.replies.shift() ?? this.responder
    while (typeof reply === 'function') reply = reply(recorded)
    if (reply === undefined) {
      response.writeHead(500, { 'content-type': 'application/json' })
      response.end(
        JSON.stringify({ error: { message: `No reply scripted for request #${this.requests.length}.` } }),
      )
      return
    }
    if ('noAnswer' in reply) return
    if ('status' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
      response.end(reply.body)
      return
    }
    const eventStreamHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }
    if ('sse' in reply) {
      response.writeHead(200, { ...eventStreamHeaders, ...reply.headers })
      const bytes = Buffer.from(reply.sse)
      const pieceSize = reply.pieceSize ?? bytes.length
      for (let offset = 0; offset < bytes.length; offset += pieceSize) {
        // Wait for each piece to be flushed, so the client really sees it arrive in parts.
        await new Promise<void>((resolve, reject) =>
          response.write(bytes.subarray(offset, offset + pieceSize), (error) =>
            error ? reject(error) : resolve(),
          ),
        )
      }
      response.end()
      return
    }
    response.writeHead(200, eventStreamHeaders)
    if ('sseThenHang' in reply) {
      response.write(reply.sseThenHang)
      return
    }
    response.write(reply.sseThenDestroy, () => response.socket?.destroy())
  }
}

/** Chat Completions SSE from chunk JSON texts: `data: <json>` events, then `data: [DONE]` unless `done: false`. */
export function chatEventStream(
  chunks: readonly (string | object)[],
  options: { done?: boolean } = {},
): string {
  let text = ''
  for (const chunk of chunks) text += `data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}\n\n`
  if (options.done !== false) text += 'data: [DONE]\n\n'
  return text
}

/** Responses API SSE from event JSON texts: `event: <type>` and `data: <json>` per event, as OpenAI sends it. */
export function responsesEventStream(events: readonly (string | object)[]): string {
  let text = ''
  for (const event of events) {
    const json = typeof event === 'string' ? event : JSON.stringify(event)
    const type = (JSON.parse(json) as { type: string }).type
    text += `event: ${type}\ndata: ${json}\n\n`
  }
  return text
}
