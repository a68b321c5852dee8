import { request as httpRequest } from 'node:http'
import { Agent, type AgentEvent, tool } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { addAgentRoutes } from './agent-routes.js'
import { HTTPException } from './http-exception.js'
import { serve } from './serve.js'
import { ServerApp } from './server-app.js'
import { startAgentServer } from './test-support/agent-server-fixture.js'
import { openStream, parseServerSentEvents } from './test-support/http-client.js'
import { textEvents, toolUseEvents } from './test-support/loopback-model-server.js'

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

function waitingTool() {
  let markStarted!: () => void
  const started = new Promise<void>((resolve) => {
    markStarted = resolve
  })
  let markAborted!: (aborted: boolean) => void
  const aborted = new Promise<boolean>((resolve) => {
    markAborted = resolve
  })
  const wait = tool({
    name: 'wait',
    description: 'Waits until it is aborted.',
    inputSchema: z.object({}),
    callback: (_input, { signal }) => {
      markStarted()
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          markAborted(signal.aborted)
          reject(new Error('aborted'))
        })
      })
    },
  })
  return { wait, started, aborted }
}

describe('POST /stream (text/plain, the seed format)', () => {
  it('sends the first chunk before the model has finished', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('The answer is 4.'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream`, { body: { prompt: 'Calculate 2+2' } })
    expect(stream.status).toBe(200)
    expect(stream.headers['content-type']).toBe('text/plain; charset=utf-8')
    await stream.waitFor((text) => text === 'The ')
    // The model request is still open: the server has not sent the rest.
    const modelRequest = await modelServer.request(0)
    let modelEnded = false
    void modelRequest.ended.then(() => {
      modelEnded = true
    })
    expect(modelEnded).toBe(false)
    modelServer.resume()
    expect(await stream.done).toBe('The answer is 4.')
    expect(await modelRequest.ended).toBe('finished')
  })

  it('aborts the run when the client disconnects: the model request is closed, the session keeps a valid conversation', async () => {
    const sessionAgent: { current?: Agent } = {}
    const { url, modelServer, app } = await startAgentServer({
      routes: {
        agent: () => {
          sessionAgent.current ??= new Agent({ model: modelServer.model(), callbackHandler: null })
          return sessionAgent.current
        },
      },
    })
    modelServer.script({ events: textEvents('Partial answer that never ends'), pauseAt: 3 })
    const stream = await openStream(`${url}/stream`, { body: { prompt: 'Tell me a story' } })
    await stream.waitFor((text) => text === 'Partial answer ')
    stream.disconnect()
    const modelRequest = await modelServer.request(0)
    expect(await modelRequest.ended).toBe('closed-by-client')
    const agent = sessionAgent.current!
    await expect.poll(() => agent.isRunning).toBe(false)
    expect(agent.messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'Partial answer ' }] })
    expect(conversationProblems(agent.messages)).toEqual([])
    await expect.poll(() => app.activeStreams).toBe(0)

    // The session goes on from the kept conversation.
    modelServer.script({ events: textEvents('Continued.') })
    const next = await post(`${url}/stream`, { prompt: 'Go on' })
    expect(await next.text()).toBe('Continued.')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('signals running tools when the client disconnects', async () => {
    const { wait, started, aborted } = waitingTool()
    const { url, modelServer, agents } = await startAgentServer({ agent: { tools: [wait] } })
    modelServer.script({ events: toolUseEvents('tool-1', 'wait', {}) })
    const stream = await openStream(`${url}/stream`, { body: { prompt: 'Wait' } })
    await started
    stream.disconnect()
    expect(await aborted).toBe(true)
    await expect.poll(() => agents[0]!.isRunning).toBe(false)
    expect(conversationProblems(agents[0]!.messages)).toEqual([])
    expect(modelServer.requests).toHaveLength(1)
  })

  it('ends with an "Error: <message>" line when the model fails mid-stream, and logs the full error', async () => {
    const { url, modelServer, logged } = await startAgentServer()
    modelServer.script({
      events: textEvents('Half an').slice(0, 3),
      errorMessage: 'Upstream overloaded for key sk-live-abcdef1234567890',
    })
    const response = await post(`${url}/stream`, { prompt: 'Hi' })
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toBe('Half an\nError: Upstream overloaded for key [redacted]\n')
    expect(text).not.toMatch(/\bat \S+:\d+/)
    expect(logged).toHaveLength(1)
    expect((logged[0] as Error).message).toContain('sk-live-abcdef1234567890')
  })

  it('hides unexpected errors behind an error id and logs them', async () => {
    const { url, logged } = await startAgentServer({
      agent: {},
      routes: {
        agent: () =>
          new Agent({
            callbackHandler: null,
            model: {
              provider: 'test',
              modelId: 'throws-at-once',
              // biome-ignore lint/correctness/useYield: fails before its first event on purpose
              async *stream() {
                throw new TypeError('Cannot read properties of undefined (reading "secretThing")')
              },
            },
          }),
      },
    })
    const response = await post(`${url}/stream`, { prompt: 'Hi' })
    expect(response.status).toBe(200)
    const text = await response.text()
    const errorId = /error id ([0-9a-f]{8})/.exec(text)?.[1]
    expect(text).toBe(
      `Error: The agent failed with an unexpected error; the server log has the details. (error id ${errorId})\n`,
    )
    expect(text).not.toContain('secretThing')
    expect((logged[0] as Error).message).toContain('secretThing')

    // Before anything streamed (the agent factory fails), the same error is an HTTP 500.
    const failing = await startAgentServer({
      routes: {
        agent: () => {
          throw new Error('database password=hunter2 rejected')
        },
      },
    })
    const refused = await post(`${failing.url}/stream`, { prompt: 'Hi' })
    expect(refused.status).toBe(500)
    const body = (await refused.json()) as { detail: string; error: { name: string; errorId: string } }
    expect(body.error.name).toBe('InternalError')
    expect(body.detail).toContain(body.error.errorId)
    expect(JSON.stringify(body)).not.toContain('hunter2')
    expect((failing.logged[0] as Error).message).toContain('hunter2')
  })

  it('lets the agent factory refuse a request with HTTPException, and middleware run before the routes', async () => {
    const app = new ServerApp({ onError: () => {} })
    app.hono.use('*', async (c, next) => {
      if (c.req.header('x-tenant') === 'blocked') return c.json({ detail: 'Blocked tenant' }, 403)
      await next()
    })
    addAgentRoutes(app, {
      agent: ({ request }) => {
        if (request.headers.get('authorization') !== 'Bearer good')
          throw new HTTPException(401, 'Log in first.')
        return new Agent({
          model: new ScriptedModel([{ content: [{ text: 'Welcome.' }] }]),
          callbackHandler: null,
        })
      },
    })
    const running = await serve(app, { port: 0, signals: [] })
    onTestFinished(() => running.close())
    const anonymous = await post(`${running.url}/stream`, { prompt: 'Hi' })
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ detail: 'Log in first.' })
    const blocked = await post(
      `${running.url}/stream`,
      { prompt: 'Hi' },
      { 'x-tenant': 'blocked', authorization: 'Bearer good' },
    )
    expect(blocked.status).toBe(403)
    const allowed = await post(`${running.url}/stream`, { prompt: 'Hi' }, { authorization: 'Bearer good' })
    expect(await allowed.text()).toBe('Welcome.')
  })

  it('answers 409 when a session agent is still busy', async () => {
    const { modelServer, url } = await startAgentServer()
    const shared = new Agent({ model: modelServer.model(), callbackHandler: null })
    const { url: sessionUrl } = await startAgentServer({ routes: { agent: () => shared } })
    void url
    modelServer.script({ events: textEvents('Slow answer'), pauseAt: 2 })
    const first = await openStream(`${sessionUrl}/stream`, { body: { prompt: 'One' } })
    await first.waitFor((text) => text.length > 0)
    const second = await post(`${sessionUrl}/stream`, { prompt: 'Two' })
    expect(second.status).toBe(409)
    expect(((await second.json()) as { error: { name: string } }).error.name).toBe('ConcurrencyError')
    modelServer.resume()
    expect(await first.done).toBe('Slow answer')
  })
})

describe('POST /invoke', () => {
  it('returns the result as JSON', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('Four.') })
    const response = await post(`${url}/invoke`, { prompt: '2+2?' })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { text: string; stopReason: string; message: unknown }
    expect(body.text).toBe('Four.')
    expect(body.stopReason).toBe('end_turn')
    expect(body.message).toEqual({ role: 'assistant', content: [{ text: 'Four.' }] })
  })

  it('aborts the run when the client disconnects while waiting', async () => {
    const { url, modelServer, agents, app } = await startAgentServer()
    modelServer.script({ events: textEvents('Never sent'), pauseAt: 1 })
    const request = httpRequest(`${url}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      agent: false,
    })
    request.on('error', () => {})
    request.end(JSON.stringify({ prompt: 'Hi' }))
    const modelRequest = await modelServer.request(0)
    // No response yet (the run has not finished): the client gives up.
    request.destroy()
    expect(await modelRequest.ended).toBe('closed-by-client')
    await expect.poll(() => agents[0]!.isRunning).toBe(false)
    await expect.poll(() => app.activeStreams).toBe(0)
    expect(conversationProblems(agents[0]!.messages)).toEqual([])
  })

  it('maps a throttled provider to 429 with Retry-After', async () => {
    // Retries off: the loop's own retries are tested in core; here the 429 must reach the client.
    const { url, modelServer } = await startAgentServer({ agent: { retryStrategy: null } })
    modelServer.script({ events: [], status: 429, errorMessage: 'Rate limit reached' })
    const response = await post(`${url}/invoke`, { prompt: 'Hi' })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(((await response.json()) as { detail: string }).detail).toBe('Rate limit reached')
  })
})

describe('limits on the agent routes', () => {
  it('answers 503 with Retry-After past the stream cap without making an agent, and 413/415/400/422 for bad bodies', async () => {
    const { url, modelServer, agents } = await startAgentServer({
      app: { maxConcurrentStreams: 1, retryAfterSeconds: 2, maxBodyBytes: 1000 },
    })
    modelServer.script({ events: textEvents('Taking the only slot'), pauseAt: 2 })
    const first = await openStream(`${url}/stream`, { body: { prompt: 'One' } })
    await first.waitFor((text) => text.length > 0)
    for (const path of ['/stream', '/stream/events', '/invoke']) {
      const refused = await post(`${url}${path}`, { prompt: 'Two' })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('2')
    }
    expect(agents).toHaveLength(1)
    modelServer.resume()
    await first.done

    expect((await post(`${url}/stream`, { prompt: 'x'.repeat(2000) })).status).toBe(413)
    const form = await fetch(`${url}/stream`, { method: 'POST', body: 'prompt=hi' })
    expect(form.status).toBe(415)
    const malformed = await fetch(`${url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":',
    })
    expect(malformed.status).toBe(400)
    const invalid = await post(`${url}/stream/events`, { prompt: 42 })
    expect(invalid.status).toBe(422)
    expect(await invalid.json()).toEqual({
      detail: [
        { type: 'string_type', loc: ['body', 'prompt'], msg: 'Input should be a valid string', input: 42 },
      ],
    })
    expect(agents).toHaveLength(1)
  })
})

describe('NDJSON by Accept', () => {
  it('sends every event as one JSON line, in the contract order', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('Hello there') })
    const response = await post(`${url}/stream`, { prompt: 'Hi' }, { accept: 'application/x-ndjson' })
    expect(response.headers.get('content-type')).toBe('application/x-ndjson')
    const events = (await response.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AgentEvent)
    expect(events.map((event) => event.type)).toEqual([
      'init_event_loop',
      'start_event_loop',
      'model_stream',
      'model_stream',
      'data',
      'model_stream',
      'data',
      'model_stream',
      'model_stream',
      'model_stream',
      'message',
      'result',
    ])
  })

  it('ends with an error line when the model fails', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('x').slice(0, 2), errorMessage: 'Model broke' })
    const response = await post(`${url}/stream/events`, { prompt: 'Hi' }, { accept: 'application/x-ndjson' })
    const lines = (await response.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.at(-2)).toMatchObject({ type: 'force_stop', force_stop_reason: 'ModelError: Model broke' })
    expect(lines.at(-1)).toEqual({
      type: 'error',
      error: {
        name: 'ModelError',
        message: 'Model broke',
        status: 500,
        retryable: false,
        errorId: expect.any(String),
      },
    })
  })
})

describe('POST /stream/events (SSE)', () => {
  it('sends every event with an id, event name and JSON data', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('Hi you') })
    const response = await post(`${url}/stream/events`, { prompt: 'Hi' })
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const runId = response.headers.get('x-run-id')!
    const messages = parseServerSentEvents(await response.text())
    expect(messages[0]).toEqual({ retry: '1000' })
    const events = messages.slice(1)
    expect(events.map((message) => message.id)).toEqual(events.map((_, index) => `${runId}:${index + 1}`))
    for (const message of events) expect(JSON.parse(message.data!).type).toBe(message.event)
    expect(events.at(-1)!.event).toBe('result')
    expect(JSON.parse(events.at(-1)!.data!).result.stopReason).toBe('end_turn')
  })

  it('leaves out the event types listed in omitEvents, but never the result', async () => {
    const { url, modelServer } = await startAgentServer({
      routes: { omitEvents: ['model_stream', 'result'] },
    })
    modelServer.script({ events: textEvents('one two three') })
    const response = await post(`${url}/stream/events`, { prompt: 'Count' })
    const types = parseServerSentEvents(await response.text())
      .slice(1)
      .map((message) => message.event)
    expect(types).not.toContain('model_stream')
    expect(types.filter((type) => type === 'data')).toHaveLength(3)
    expect(types.at(-1)).toBe('result')
  })

  it('slows the agent down for a slow reader instead of dropping events (backpressure)', async () => {
    const { url, modelServer } = await startAgentServer({ routes: { maxBufferedEvents: 40 } })
    const words = Array.from({ length: 400 }, (_, index) => `w${index}`).join(' ')
    modelServer.script({ events: textEvents(words) })
    const response = await post(`${url}/stream/events`, { prompt: 'Talk a lot' })
    // Read nothing for a while: the run must wait for this reader, not run ahead and drop what it has not read.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const messages = parseServerSentEvents(await response.text()).slice(1)
    const sequences = messages.map((message) => Number(message.id!.split(':')[1]))
    expect(sequences).toEqual(sequences.map((_, index) => index + 1))
    expect(messages.some((message) => message.event === 'error')).toBe(false)
    expect(messages.at(-1)!.event).toBe('result')
    expect(messages.filter((message) => message.event === 'data')).toHaveLength(400)
  })

  it('resumes after Last-Event-ID with no gap and no duplicate, while the run goes on', async () => {
    const { url, modelServer } = await startAgentServer({ routes: { reconnectGraceMs: 60_000 } })
    modelServer.script({ events: textEvents('one two three four five'), pauseAt: 3 })
    const first = await openStream(`${url}/stream/events`, { body: { prompt: 'Count' } })
    await first.waitFor((text) => text.includes('"data":"two "'))
    first.disconnect()
    const received = parseServerSentEvents(first.text).filter((message) => message.id !== undefined)
    const lastId = received.at(-1)!.id!
    modelServer.resume()

    const second = await openStream(`${url}/stream/events`, {
      body: { prompt: 'Count' },
      headers: { 'last-event-id': lastId },
    })
    expect(second.status).toBe(200)
    const rest = parseServerSentEvents(await second.done)
    const all = [...received, ...rest]
    const sequences = all.map((message) => Number(message.id!.split(':')[1]))
    expect(sequences).toEqual(sequences.map((_, index) => index + 1))
    const text = all
      .filter((message) => message.event === 'data')
      .map((message) => JSON.parse(message.data!).data)
      .join('')
    expect(text).toBe('one two three four five')
    expect(all.at(-1)!.event).toBe('result')
    expect(modelServer.requests).toHaveLength(1)
  })

  it('resumes a finished run from the retained buffer with GET, and refuses unknown ids', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('a b c') })
    const response = await post(`${url}/stream/events`, { prompt: 'Hi' })
    const messages = parseServerSentEvents(await response.text()).filter(
      (message) => message.id !== undefined,
    )
    const resumed = await fetch(`${url}/stream/events`, { headers: { 'last-event-id': messages[4]!.id! } })
    const rest = parseServerSentEvents(await resumed.text())
    expect(rest).toEqual(messages.slice(5))

    const runId = messages[0]!.id!.split(':')[0]
    const unknown = await fetch(`${url}/stream/events`, {
      headers: { 'last-event-id': `${crypto.randomUUID()}:1` },
    })
    expect(unknown.status).toBe(410)
    const malformed = await fetch(`${url}/stream/events`, { headers: { 'last-event-id': '7' } })
    expect(malformed.status).toBe(400)
    const ahead = await fetch(`${url}/stream/events`, { headers: { 'last-event-id': `${runId}:999` } })
    expect(ahead.status).toBe(400)
  })

  it('aborts a disconnected run when no client comes back within the grace period', async () => {
    const { url, modelServer, agents } = await startAgentServer({ routes: { reconnectGraceMs: 20 } })
    modelServer.script({ events: textEvents('never finished'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes('event: data'))
    stream.disconnect()
    expect(await (await modelServer.request(0)).ended).toBe('closed-by-client')
    await expect.poll(() => agents[0]!.isRunning).toBe(false)
    expect(conversationProblems(agents[0]!.messages)).toEqual([])
  })

  it('aborts at once with a grace period of 0, signalling tools', async () => {
    const { wait, started, aborted } = waitingTool()
    const { url, modelServer } = await startAgentServer({
      agent: { tools: [wait] },
      routes: { reconnectGraceMs: 0 },
    })
    modelServer.script({ events: toolUseEvents('tool-1', 'wait', {}) })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Wait' } })
    await started
    stream.disconnect()
    expect(await aborted).toBe(true)
  })

  it('stops a run kept for reconnects with DELETE', async () => {
    const { url, modelServer } = await startAgentServer({ routes: { reconnectGraceMs: 60_000 } })
    modelServer.script({ events: textEvents('long answer'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes('event: data'))
    const runId = stream.headers['x-run-id'] as string
    const stopped = await fetch(`${url}/stream/events/${runId}`, { method: 'DELETE' })
    expect(stopped.status).toBe(204)
    expect(await (await modelServer.request(0)).ended).toBe('closed-by-client')
    const last = parseServerSentEvents(await stream.done).at(-1)!
    expect(last.event).toBe('error')
    expect(JSON.parse(last.data!).error).toEqual({
      name: 'AbortError',
      message: 'The run was stopped on request.',
    })
    expect((await fetch(`${url}/stream/events/${crypto.randomUUID()}`, { method: 'DELETE' })).status).toBe(
      404,
    )
  })

  it('aborts at once by default, and a reconnect gets what was produced up to the abort', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('one two three'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes('"data":"one "'))
    stream.disconnect()
    expect(await (await modelServer.request(0)).ended).toBe('closed-by-client')
    const received = parseServerSentEvents(stream.text).filter((message) => message.id !== undefined)
    const resumed = await fetch(`${url}/stream/events`, {
      headers: { 'last-event-id': received.at(-1)!.id! },
    })
    const rest = parseServerSentEvents(await resumed.text())
    const sequences = [...received, ...rest].map((message) => Number(message.id!.split(':')[1]))
    expect(sequences).toEqual(sequences.map((_, index) => index + 1))
    expect(rest.at(-1)!.event).toBe('error')
    expect(JSON.parse(rest.at(-1)!.data!).error.message).toBe(
      'The client disconnected, so the run was aborted.',
    )
  })

  it('sends an error frame when the model fails mid-stream, then ends', async () => {
    const { url, modelServer } = await startAgentServer()
    modelServer.script({ events: textEvents('Half').slice(0, 2), errorMessage: 'Bad gateway from provider' })
    const response = await post(`${url}/stream/events`, { prompt: 'Hi' })
    const messages = parseServerSentEvents(await response.text())
    const last = messages.at(-1)!
    expect(last.event).toBe('error')
    expect(JSON.parse(last.data!).error).toMatchObject({
      name: 'ModelError',
      message: 'Bad gateway from provider',
    })
    expect(messages.at(-2)!.event).toBe('force_stop')
  })

  it('sends ping comments while the model is idle', async () => {
    const { url, modelServer } = await startAgentServer({ routes: { pingIntervalMs: 10 } })
    modelServer.script({ events: textEvents('slow'), pauseAt: 1 })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes(': ping\n\n'))
    modelServer.resume()
    const messages = parseServerSentEvents(await stream.done)
    expect(messages.at(-1)!.event).toBe('result')
  })
})

describe('GET /health', () => {
  it('reports ok and the open streams', async () => {
    const { url } = await startAgentServer()
    const response = await fetch(`${url}/health`)
    expect(await response.json()).toEqual({ status: 'ok', activeStreams: 0 })
  })
})
