import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

interface ChatMessage {
  role: string
  content?: string | { type: string; text?: string }[] | null
  tool_call_id?: string
}

/**
 * A loopback OpenAI-compatible server with scripted replies, so the example runs with no network:
 * when the last message asks for arithmetic it calls `calculator` (arguments streamed in pieces);
 * when the last message is a tool result it answers with that result. It records every request body.
 */
export async function startLoopbackOpenAIServer(): Promise<{
  baseURL: string
  requests: { messages: ChatMessage[]; tools?: unknown[] }[]
  close: () => Promise<void>
}> {
  const requests: { messages: ChatMessage[]; tools?: unknown[] }[] = []
  const server: Server = createServer(async (request, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { message: `Unknown route ${request.method} ${request.url}` } }))
      return
    }
    const parsed = JSON.parse(body) as { messages: ChatMessage[]; tools?: unknown[] }
    requests.push(parsed)
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    for (const chunk of reply(parsed.messages, requests.length))
      response.write(`data: ${JSON.stringify(chunk)}\n\n`)
    response.end('data: [DONE]\n\n')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

function reply(messages: ChatMessage[], requestNumber: number): object[] {
  const last = messages.at(-1)
  const chunk = (delta: object, finishReason: string | null = null) => ({
    id: `chatcmpl-loopback-${requestNumber}`,
    object: 'chat.completion.chunk',
    model: 'loopback',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })
  const usage = {
    id: `chatcmpl-loopback-${requestNumber}`,
    object: 'chat.completion.chunk',
    model: 'loopback',
    choices: [],
    usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
  }
  if (last?.role === 'tool') {
    // A calculator result's first line is the value; the rest (its JSON block) is for models that want it.
    const result = textOf(last).split('\n')[0]
    const question = textOf(messages.findLast((message) => message.role === 'user'))
    const answer = question.includes('France')
      ? `The capital of France is Paris, and 42 + 7 = ${result}.`
      : `2 + 2 = ${result}.`
    const words = answer.match(/\S+\s*/g) ?? [answer]
    return [
      chunk({ role: 'assistant', content: '' }),
      ...words.map((word) => chunk({ content: word })),
      chunk({}, 'stop'),
      usage,
    ]
  }
  const expression = textOf(last).match(/\d+\s*[-+*/]\s*\d+/)?.[0]
  if (expression === undefined) {
    return [chunk({ role: 'assistant', content: 'I only do arithmetic here.' }), chunk({}, 'stop'), usage]
  }
  const argumentsText = JSON.stringify({ expression })
  const middle = Math.ceil(argumentsText.length / 2)
  return [
    chunk({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          index: 0,
          id: `call_loopback_${requestNumber}`,
          type: 'function',
          function: { name: 'calculator', arguments: '' },
        },
      ],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(0, middle) } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(middle) } }] }),
    chunk({}, 'tool_calls'),
    usage,
  ]
}

function textOf(message: ChatMessage | undefined): string {
  const content = message?.content
  if (typeof content === 'string') return content
  return (content ?? []).map((part) => part.text ?? '').join('')
}
