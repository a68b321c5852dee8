import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fixturesDirectory } from '@agent/core/testing'

/** A recorded Chat Completions stream as the SSE body the API sent. */
function recordedStream(name: string): string {
  const directory = fixturesDirectory()
  if (directory === undefined) throw new Error('The recorded provider fixtures are missing.')
  const lines = readFileSync(join(directory, 'openai-chat', name), 'utf8')
    .trim()
    .split('\n')
  return `${lines.map((line) => `data: ${line}\n\n`).join('')}data: [DONE]\n\n`
}

/** A recorded call of the `GetWeatherArgs` tool (Edinburgh), and a recorded text answer. */
export const toolCallFixture = 'tool-call-single.gpt-4o.jsonl'
export const recordedToolCallId = 'call_c91SqDXlYFuETYv8mUHzz6pp'
const textFixture = 'text-with-usage.gpt-4.1-nano.jsonl'

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
}

export interface ReceivedRequest {
  messages: { role: string; content?: unknown; tool_call_id?: string }[]
  tools: { function: { name: string } }[] | undefined
}

/**
 * A loopback OpenAI-compatible server (with CORS, for the browser page) that answers from recorded
 * traffic by what it is asked: a prompt with tools gets the recorded tool call, a request carrying a tool
 * result gets the recorded text answer, and a prompt containing "hang" gets the first text chunks, then
 * nothing, until the client goes: each such disconnect is counted, which is how the tests see an abort.
 */
export class LoopbackOpenAIServer {
  readonly requests: ReceivedRequest[] = []
  /** CORS preflights answered (a browser page on another origin sends one). */
  preflights = 0
  private readonly toolCall = recordedStream(toolCallFixture)
  private readonly text = recordedStream(textFixture)
  private hangsClosed = 0
  private readonly hangWaiters: (() => void)[] = []
  private readonly server = createServer((request, response) => {
    this.handle(request, response).catch(() => response.destroy())
  })

  static async start(): Promise<LoopbackOpenAIServer> {
    const instance = new LoopbackOpenAIServer()
    instance.server.listen(0, '127.0.0.1')
    await once(instance.server, 'listening')
    return instance
  }

  get baseURL(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`
  }

  /** Resolves once `count` hanging streams have been closed by their client, or rejects after `deadlineMs`. */
  hangsClosedBy(count: number, deadlineMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.hangsClosed} of ${count} model streams were aborted`)),
        deadlineMs,
      )
      const check = () => {
        if (this.hangsClosed < count) return this.hangWaiters.push(check)
        clearTimeout(timer)
        resolve()
      }
      check()
    })
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'OPTIONS') {
      this.preflights++
      response.writeHead(204, corsHeaders).end()
      return
    }
    let body = ''
    for await (const chunk of request) body += chunk
    const received = JSON.parse(body) as ReceivedRequest
    this.requests.push(received)
    response.writeHead(200, { ...corsHeaders, 'content-type': 'text/event-stream' })
    const prompt = JSON.stringify(received.messages.at(-1)?.content ?? '')
    if (prompt.includes('hang')) {
      // The first four recorded chunks: role, then `**Holiday Name`.
      response.write(`${this.text.split('\n\n', 4).join('\n\n')}\n\n`)
      response.on('close', () => {
        this.hangsClosed++
        for (const waiter of this.hangWaiters.splice(0)) waiter()
      })
      return
    }
    const answered = received.messages.some((message) => message.role === 'tool')
    response.end(received.tools !== undefined && !answered ? this.toolCall : this.text)
  }
}

/** The text of the recorded answer, as the agent should return it. */
export function recordedAnswerText(): string {
  let text = ''
  for (const frame of recordedStream(textFixture).split('\n\n')) {
    if (!frame.startsWith('data: {')) continue
    const chunk = JSON.parse(frame.slice(6)) as { choices: { delta: { content?: string | null } }[] }
    for (const choice of chunk.choices) text += choice.delta.content ?? ''
  }
  return text
}
