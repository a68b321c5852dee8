import { once } from 'node:events'
import {
  constants,
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2'
import type { AddressInfo } from 'node:net'
import { EventStreamCodec } from '@smithy/eventstream-codec'
import type { MessageHeaders } from '@smithy/types'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'

/** One frame of an `application/vnd.amazon.eventstream` body. */
export type WireFrame =
  | { event: string; payload: unknown }
  | { exception: string; payload: unknown }
  /** Bytes sent as they are (a recorded capture, or a deliberately broken frame). */
  | { bytes: Uint8Array }

/** What the server answers to one request. */
export type LoopbackReply =
  /**
   * A ConverseStream answer; `hang` keeps the stream open afterwards until the client goes away, `reset`
   * resets the HTTP/2 stream instead of ending it (a dropped connection).
   */
  | { frames: WireFrame[]; hang?: boolean; reset?: boolean }
  /** A whole HTTP answer (Converse, or an error), JSON body. */
  | { status: number; headers?: Record<string, string>; body: unknown }
  | ((request: RecordedRequest) => LoopbackReply)

export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  /** The request body, parsed from JSON. */
  body: Record<string, any>
}

const codec = new EventStreamCodec(toUtf8, fromUtf8)

/** Encodes one frame the way Bedrock does: JSON payload, string headers. */
export function encodeFrame(frame: WireFrame): Uint8Array {
  if ('bytes' in frame) return frame.bytes
  const headers: MessageHeaders =
    'event' in frame
      ? {
          ':event-type': { type: 'string' as const, value: frame.event },
          ':content-type': { type: 'string' as const, value: 'application/json' },
          ':message-type': { type: 'string' as const, value: 'event' },
        }
      : {
          ':exception-type': { type: 'string' as const, value: frame.exception },
          ':content-type': { type: 'string' as const, value: 'application/json' },
          ':message-type': { type: 'string' as const, value: 'exception' },
        }
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(frame.payload)) })
}

/** A frame whose message CRC is wrong, as a damaged connection would deliver it. */
export function corruptFrame(frame: WireFrame): Uint8Array {
  const bytes = Uint8Array.from(encodeFrame(frame))
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
  return bytes
}

/** Turns a recorded event line (`{"contentBlockDelta": {...}}`) into its wire frame. */
export function frameFromRecordedEvent(line: Record<string, unknown>): WireFrame {
  const [key, payload] = Object.entries(line)[0]!
  return key.endsWith('Exception') ? { exception: key, payload } : { event: key, payload }
}

/**
 * A loopback Amazon Bedrock Runtime over HTTP/2 cleartext (what the SDK's default handler speaks).
 * Replies are taken in order, one per request; every request body is recorded for assertions.
 */
export class BedrockLoopbackServer {
  readonly requests: RecordedRequest[] = []
  /**
   * One per streamed answer: settles when its HTTP/2 stream closes, saying whether the server had ended
   * it or the client went away first (reset or cancel).
   */
  readonly streamClosed: Promise<{ endedByServer: boolean }>[] = []
  private readonly replies: LoopbackReply[]
  private responder: LoopbackReply | undefined
  private readonly answered: (() => void)[] = []
  private readonly server: Http2Server
  private readonly sessions = new Set<import('node:http2').ServerHttp2Session>()

  private constructor(replies: LoopbackReply[]) {
    this.replies = [...replies]
    this.server = createServer((request, response) => {
      void this.answer(request, response)
    })
    this.server.on('session', (session) => {
      this.sessions.add(session)
      session.on('close', () => this.sessions.delete(session))
    })
  }

  static async start(replies: LoopbackReply[] = []): Promise<BedrockLoopbackServer> {
    const server = new BedrockLoopbackServer(replies)
    server.server.listen(0, '127.0.0.1')
    await once(server.server, 'listening')
    return server
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** Resolves once `count` requests have been answered (headers sent), so a test can act mid-response. */
  async answeredRequests(count: number): Promise<void> {
    while (this.streamClosed.length + this.wholeAnswers < count) {
      await new Promise<void>((resolve) => this.answered.push(resolve))
    }
  }

  private wholeAnswers = 0

  private notifyAnswered(): void {
    for (const resolve of this.answered.splice(0)) resolve()
  }

  /** Answers every request that finds no queued reply with `responder`. */
  respondWith(responder: (request: RecordedRequest) => LoopbackReply): this {
    this.responder = responder
    return this
  }

  /** Adds replies for the next requests. */
  reply(...replies: LoopbackReply[]): void {
    this.replies.push(...replies)
  }

  async close(): Promise<void> {
    for (const session of this.sessions) session.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async answer(request: Http2ServerRequest, response: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const recorded: RecordedRequest = {
      method: request.method,
      path: request.url,
      headers: { ...request.headers },
      body: text === '' ? {} : (JSON.parse(text) as Record<string, any>),
    }
    this.requests.push(recorded)
    let reply = this.replies.shift() ?? this.responder
    while (typeof reply === 'function') reply = reply(recorded)
    if (reply === undefined) {
      response.writeHead(500, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'InternalServerException',
      })
      response.end(
        JSON.stringify({
          message: `Loopback server: no reply scripted for request #${this.requests.length}.`,
        }),
      )
      return
    }
    if ('status' in reply) {
      const body = JSON.stringify(reply.body)
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
      response.end(body)
      this.wholeAnswers++
      this.notifyAnswered()
      return
    }
    const { frames, hang, reset } = reply
    let endedByServer = false
    const closed = new Promise<{ endedByServer: boolean }>((resolve) => {
      response.stream.once('close', () => resolve({ endedByServer }))
    })
    this.streamClosed.push(closed)
    response.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': `loopback-${this.requests.length}`,
    })
    this.notifyAnswered()
    if (reset) {
      // Reset only once the frames are flushed: closing with writes pending spins Node's HTTP/2 stream.
      endedByServer = true
      response.write(Buffer.concat(frames.map(encodeFrame)), () =>
        response.stream.close(constants.NGHTTP2_INTERNAL_ERROR),
      )
      return
    }
    for (const frame of frames) {
      if (response.stream.destroyed) return
      response.write(encodeFrame(frame))
    }
    if (!hang) {
      endedByServer = true
      response.end()
    }
  }
}
