// A stand-in for Amazon Bedrock on 127.0.0.1, for running the example without AWS: it speaks
// ConverseStream over HTTP/2 with AWS event-stream framing, as the real service does. It calls the
// calculator for arithmetic in the prompt, then answers from the tool result.
import { once } from 'node:events'
import { createServer, type ServerHttp2Session } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { EventStreamCodec } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'

const codec = new EventStreamCodec(toUtf8, fromUtf8)

function frame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  })
}

type Block = {
  text?: string
  toolUse?: { toolUseId: string; input: { expression: string } }
  toolResult?: any
}
type Body = { messages: { role: string; content: Block[] }[] }

/** The answer to one request, as event-stream frames. */
function answer(body: Body, requestNumber: number): Uint8Array[] {
  const last = body.messages.at(-1)!
  const frames = [frame('messageStart', { role: 'assistant' })]
  const result = last.content.find((block) => block.toolResult !== undefined)?.toolResult
  if (result === undefined) {
    const prompt = last.content.map((block) => block.text ?? '').join(' ')
    const expression = prompt.match(/[\d(][\d\s.+\-*/^()]*[\d)]/)?.[0] ?? '0'
    const input = JSON.stringify({ expression })
    frames.push(
      frame('contentBlockStart', {
        contentBlockIndex: 0,
        start: { toolUse: { toolUseId: `tooluse_loopback_${requestNumber}`, name: 'calculator' } },
      }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: input.slice(0, 8) } } }),
      frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: input.slice(8) } } }),
      frame('contentBlockStop', { contentBlockIndex: 0 }),
      frame('messageStop', { stopReason: 'tool_use' }),
    )
  } else {
    const asked = body.messages
      .flatMap((message) => message.content)
      .find((block) => block.toolUse?.toolUseId === result.toolUseId)?.toolUse?.input.expression
    const value = result.content.map((part: { text?: string }) => part.text ?? '').join('')
    for (const piece of ['The answer: ', `${asked} = `, value]) {
      frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } }))
    }
    frames.push(
      frame('contentBlockStop', { contentBlockIndex: 0 }),
      frame('messageStop', { stopReason: 'end_turn' }),
    )
  }
  frames.push(
    frame('metadata', {
      usage: { inputTokens: 20, outputTokens: 8, totalTokens: 28 },
      metrics: { latencyMs: 1 },
    }),
  )
  return frames
}

export interface LoopbackBedrock {
  endpoint: string
  /** Every request body received, in order. */
  requests: Body[]
  close(): Promise<void>
}

export async function startLoopbackBedrock(): Promise<LoopbackBedrock> {
  const requests: Body[] = []
  const sessions = new Set<ServerHttp2Session>()
  const server = createServer(async (request, response) => {
    let text = ''
    for await (const chunk of request) text += chunk
    const body = JSON.parse(text) as Body
    requests.push(body)
    if (!request.url.endsWith('/converse-stream')) {
      response.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ValidationException',
      })
      response.end(JSON.stringify({ message: 'This loopback server only answers ConverseStream.' }))
      return
    }
    response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' })
    for (const bytes of answer(body, requests.length)) response.write(bytes)
    response.end()
  })
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const session of sessions) session.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
