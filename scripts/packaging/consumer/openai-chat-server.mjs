// A loopback stand-in for an OpenAI-compatible server, speaking the Chat Completions streaming wire format
// (`data: <chunk JSON>` events, a usage chunk, then `data: [DONE]`). It is stateless, so every run of the
// consumer app (each Node version, each module system) gets the same conversation:
// a prompt → a `calculator` tool call for 2+2; a tool result → "The answer is <first line of the result>".
// GET /hello answers plain text, for the consumer's http_request call.
import { once } from 'node:events'
import { createServer } from 'node:http'

export async function startOpenAIChatServer() {
  const server = createServer((request, response) => {
    answer(request, response).catch((error) => response.destroy(error))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    helloURL: `http://127.0.0.1:${port}/hello`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

async function answer(request, response) {
  if (request.method === 'GET' && request.url === '/hello') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('hello from loopback')
    return
  }
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
    response.writeHead(404, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }))
    return
  }
  let text = ''
  for await (const piece of request) text += piece
  const { messages, model } = JSON.parse(text)
  const last = messages.at(-1)
  const deltas =
    last.role === 'tool'
      ? [{ role: 'assistant', content: 'The answer is ' }, { content: firstLine(last.content) }]
      : [
          { role: 'assistant', content: null, tool_calls: [toolCallStart()] },
          { tool_calls: [{ index: 0, function: { arguments: '{"expression":' } }] },
          { tool_calls: [{ index: 0, function: { arguments: '"2+2"}' } }] },
        ]
  const finishReason = last.role === 'tool' ? 'stop' : 'tool_calls'
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const chunk = (fields) => ({
    id: 'chatcmpl-consumer',
    object: 'chat.completion.chunk',
    created: 1,
    model,
    ...fields,
  })
  for (const delta of deltas) write(response, chunk({ choices: [{ index: 0, delta, finish_reason: null }] }))
  write(response, chunk({ choices: [{ index: 0, delta: {}, finish_reason: finishReason }] }))
  write(
    response,
    chunk({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 } }),
  )
  response.end('data: [DONE]\n\n')
}

function toolCallStart() {
  return {
    index: 0,
    id: 'call_consumer_1',
    type: 'function',
    function: { name: 'calculator', arguments: '' },
  }
}

function write(response, chunk) {
  response.write(`data: ${JSON.stringify(chunk)}\n\n`)
}

/** A tool message's content is a string or text parts. */
function firstLine(content) {
  const text = typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('')
  return text.split('\n')[0]
}
