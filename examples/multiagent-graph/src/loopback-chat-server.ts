import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A loopback OpenAI-compatible Chat Completions server for the example's test: every request is answered
 * with "Loopback answer <n>." streamed word by word, so the example runs on the real `openai` client.
 */
export async function startLoopbackChatServer(): Promise<{
  baseURL: string
  requests: number
  close(): Promise<void>
}> {
  const state = { requests: 0 }
  const server = createServer(async (request, response) => {
    for await (const _chunk of request) {
      // Drain the body.
    }
    const number = ++state.requests
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: `loopback-${number}`, object: 'chat.completion.chunk', model: 'loopback', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    response.write(chunk({ role: 'assistant', content: '' }))
    for (const word of ['Loopback ', 'answer ', `${number}.`]) response.write(chunk({ content: word }))
    response.write(chunk({}, 'stop'))
    response.write(
      `data: ${JSON.stringify({ id: `loopback-${number}`, object: 'chat.completion.chunk', model: 'loopback', choices: [], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } })}\n\n`,
    )
    response.end('data: [DONE]\n\n')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests
    },
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
