import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  AbortError,
  type Model,
  ModelError,
  type ModelRequest,
  type ModelStreamEvent,
  ModelThrottledError,
} from '@agent/core'

/** One scripted reply of the loopback model server. */
export interface LoopbackTurn {
  /** Stream events, written one NDJSON line each. */
  events: ModelStreamEvent[]
  /** Stop after writing this many events until `server.resume()` (or forever with `hang`). */
  pauseAt?: number
  /** After the events, write an error line: the model then throws `ModelError` with this message. */
  errorMessage?: string
  /** Answer with this HTTP status and a JSON error body instead of streaming. */
  status?: number
}

/** What the server saw of one model request. */
export interface LoopbackRequest {
  body: { messages: unknown[]; toolSpecs?: unknown[] }
  /** Resolves with how the request ended: the server finished it, or the client closed it first. */
  ended: Promise<'finished' | 'closed-by-client'>
}

/**
 * A model provider on a loopback port: the model POSTs the request and reads NDJSON stream events,
 * so that a cancelled model request is observed where it matters, on the server's side of the socket.
 */
export class LoopbackModelServer {
  readonly requests: LoopbackRequest[] = []
  private turns: LoopbackTurn[] = []
  private resumers: (() => void)[] = []
  private requestWaiters: (() => void)[] = []
  private readonly server: Server
  url = ''

  private constructor() {
    this.server = createServer((request, response) => {
      void this.handle(request, response)
    })
  }

  static async start(): Promise<LoopbackModelServer> {
    const instance = new LoopbackModelServer()
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve))
    instance.url = `http://127.0.0.1:${(instance.server.address() as AddressInfo).port}/model`
    return instance
  }

  /** Replies for the next requests, in order. */
  script(...turns: LoopbackTurn[]): this {
    this.turns.push(...turns)
    return this
  }

  /** Lets every paused reply go on. */
  resume(): void {
    const resumers = this.resumers
    this.resumers = []
    for (const resume of resumers) resume()
  }

  /** Resolves with the request number `index` (0-based) once it has arrived. */
  request(index: number): Promise<LoopbackRequest> {
    const existing = this.requests[index]
    if (existing !== undefined) return Promise.resolve(existing)
    return new Promise((resolve) => {
      const wait = () => {
        if (this.requests.length > index) resolve(this.requests[index]!)
        else this.requestWaiters.push(wait)
      }
      this.requestWaiters.push(wait)
    })
  }

  /** A model for an agent, talking to this server. */
  model(): Model {
    return new LoopbackModel(this.url)
  }

  async close(): Promise<void> {
    this.resume()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = ''
    for await (const chunk of request) text += chunk
    let resolveEnded!: (how: 'finished' | 'closed-by-client') => void
    const ended = new Promise<'finished' | 'closed-by-client'>((resolve) => {
      resolveEnded = resolve
    })
    response.on('close', () => resolveEnded(response.writableFinished ? 'finished' : 'closed-by-client'))
    const seen: LoopbackRequest = { body: JSON.parse(text), ended }
    this.requests.push(seen)
    const waiters = this.requestWaiters
    this.requestWaiters = []
    for (const wait of waiters) wait()

    const turn = this.turns.shift()
    if (turn === undefined || turn.status !== undefined) {
      response.writeHead(turn?.status ?? 500, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { message: turn?.errorMessage ?? 'No reply scripted.' } }))
      return
    }
    response.writeHead(200, { 'content-type': 'application/x-ndjson' })
    for (const [index, event] of turn.events.entries()) {
      if (index === turn.pauseAt) await this.paused(response)
      if (response.destroyed) return
      response.write(`${JSON.stringify(event)}\n`)
    }
    if (turn.pauseAt !== undefined && turn.pauseAt >= turn.events.length) await this.paused(response)
    if (response.destroyed) return
    if (turn.errorMessage !== undefined) response.write(`${JSON.stringify({ error: turn.errorMessage })}\n`)
    response.end()
  }

  private paused(response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      this.resumers.push(resolve)
      response.once('close', resolve)
    })
  }
}

/** The client side: a `Model` that streams from the loopback server and aborts its HTTP request on abort. */
class LoopbackModel implements Model {
  readonly provider = 'loopback'
  readonly modelId = 'loopback'

  private readonly url: string

  constructor(url: string) {
    this.url = url
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const signal = request.signal
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: request.messages, toolSpecs: request.toolSpecs }),
        signal,
      })
      if (!response.ok) {
        const body = (await response.json()) as { error: { message: string } }
        if (response.status === 429) throw new ModelThrottledError(body.error.message, { status: 429 })
        throw new ModelError(body.error.message, { status: response.status })
      }
      const decoder = new TextDecoder()
      let buffered = ''
      for await (const bytes of response.body!) {
        buffered += decoder.decode(bytes, { stream: true })
        let newline = buffered.indexOf('\n')
        while (newline >= 0) {
          const line = buffered.slice(0, newline)
          buffered = buffered.slice(newline + 1)
          newline = buffered.indexOf('\n')
          const parsed = JSON.parse(line) as ModelStreamEvent | { error: string }
          if ('error' in parsed) throw new ModelError(parsed.error, { status: 500 })
          yield parsed
        }
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortError('The loopback model request was aborted.', { cause: error })
      throw error
    }
    if (signal?.aborted) throw new AbortError('The loopback model request was aborted.')
  }
}

/** The stream events of a plain text answer, one event per word. */
export function textEvents(text: string): ModelStreamEvent[] {
  const events: ModelStreamEvent[] = [{ messageStart: { role: 'assistant' } }]
  for (const word of text.match(/\S+\s*/g) ?? []) {
    events.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: word } } })
  }
  events.push({ contentBlockStop: { contentBlockIndex: 0 } })
  events.push({ messageStop: { stopReason: 'end_turn' } })
  events.push({
    metadata: { usage: { inputTokens: 3, outputTokens: 3, totalTokens: 6 }, metrics: { latencyMs: 1 } },
  })
  return events
}

/** The stream events of a turn that calls one tool. */
export function toolUseEvents(toolUseId: string, name: string, input: unknown): ModelStreamEvent[] {
  return [
    { messageStart: { role: 'assistant' } },
    { contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId, name } } } },
    { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: JSON.stringify(input) } } } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'tool_use' } },
    { metadata: { usage: { inputTokens: 3, outputTokens: 3, totalTokens: 6 }, metrics: { latencyMs: 1 } } },
  ]
}
