import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ModelRequest, ModelStreamEvent } from '@agent/core'

/** What the server sends for one request: events, each after `delayMs`. */
export interface LoopbackReply {
  events: ModelStreamEvent[]
  delayMs?: number
}

/** One request the server received, and how it ended. */
export interface RecordedModelRequest {
  body: Pick<ModelRequest, 'messages' | 'toolSpecs'>
  /** Resolves when the client closed the connection before the reply was complete. */
  closedEarly: Promise<void>
  /** Resolves when the reply was sent in full. */
  completed: Promise<void>
}

export interface LoopbackModelServer {
  url: string
  requests: RecordedModelRequest[]
  close(): Promise<void>
}

/**
 * A model provider on a loopback port: `POST /model` answers with NDJSON model stream events, written one
 * at a time so that a reply can be long and slow. It records when a client hangs up mid-reply, which is how
 * the tests observe that stopping the run cancelled the model request.
 */
export async function startLoopbackModelServer(
  reply: (body: RecordedModelRequest['body']) => LoopbackReply,
): Promise<LoopbackModelServer> {
  const requests: RecordedModelRequest[] = []
  const server = createServer((request, response) => {
    void answer(request, response)
  })

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = ''
    for await (const chunk of request) text += chunk
    const body = JSON.parse(text) as RecordedModelRequest['body']
    let closedEarly!: () => void
    let completed!: () => void
    const recorded: RecordedModelRequest = {
      body,
      closedEarly: new Promise((resolve) => (closedEarly = resolve)),
      completed: new Promise((resolve) => (completed = resolve)),
    }
    requests.push(recorded)
    response.on('close', () => {
      if (!response.writableFinished) closedEarly()
    })
    const { events, delayMs = 0 } = reply(body)
    response.writeHead(200, { 'content-type': 'application/x-ndjson' })
    for (const event of events) {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (response.destroyed) return
      response.write(`${JSON.stringify(event)}\n`)
    }
    response.end(completed)
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/model`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
