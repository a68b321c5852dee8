import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent } from '@agent/core'
import express from 'express'
import { Hono } from 'hono'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAgentServer } from './agent-routes.js'
import { serve, toNodeListener } from './serve.js'
import { startAgentServer } from './test-support/agent-server-fixture.js'
import { openStream, parseServerSentEvents } from './test-support/http-client.js'
import { LoopbackModelServer, textEvents } from './test-support/loopback-model-server.js'

describe('graceful shutdown', () => {
  it('stops accepting, lets a stream in flight finish within the grace period', async () => {
    const { url, modelServer, running, app } = await startAgentServer({ serve: { gracePeriodMs: 60_000 } })
    modelServer.script({ events: textEvents('Still streaming while we drain.'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.length > 0)

    const closing = running.close()
    expect(app.draining).toBe(true)
    await expect(fetch(`${url}/health`)).rejects.toThrow()
    modelServer.resume()
    expect(await stream.done).toBe('Still streaming while we drain.')
    await closing
    expect(await (await modelServer.request(0)).ended).toBe('finished')
  })

  it('aborts streams still open when the grace period ends, with an error line and a closed model request', async () => {
    const { url, modelServer, running, agents } = await startAgentServer({ serve: { gracePeriodMs: 20 } })
    modelServer.script({ events: textEvents('This answer is cut off'), pauseAt: 3 })
    const stream = await openStream(`${url}/stream`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text === 'This answer ')
    await running.close()
    expect(await stream.done).toBe('This answer \nError: The server is shutting down; retry the request.\n')
    expect(await (await modelServer.request(0)).ended).toBe('closed-by-client')
    expect(agents[0]!.isRunning).toBe(false)
  })

  it('ends an SSE stream with an error frame at shutdown, on SIGTERM-like signals', async () => {
    const { url, modelServer, running } = await startAgentServer({
      serve: { gracePeriodMs: 20, signals: ['SIGUSR2'] },
    })
    modelServer.script({ events: textEvents('Never done'), pauseAt: 2 })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes('event: data'))
    process.emit('SIGUSR2' as never)
    await running.closed
    const last = parseServerSentEvents(await stream.done).at(-1)!
    expect(last.event).toBe('error')
    expect(JSON.parse(last.data!).error).toEqual({
      name: 'ServiceUnavailable',
      message: 'The server is shutting down; retry the request.',
      retryable: true,
    })
  })

  it('answers 503 to requests on kept-alive connections while draining', async () => {
    const { modelServer, app } = await startAgentServer()
    modelServer.script({ events: textEvents('x'), pauseAt: 1 })
    void app.shutdown({ gracePeriodMs: 60_000 })
    const response = await app.fetch(
      new Request('http://localhost/stream', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"prompt":"Hi"}',
      }),
    )
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(response.headers.get('connection')).toBe('close')
  })
})

describe('mounting', () => {
  async function agentApp() {
    const modelServer = await LoopbackModelServer.start()
    onTestFinished(() => modelServer.close())
    modelServer.script({ events: textEvents('Mounted answer.') })
    return createAgentServer({
      agent: () => new Agent({ model: modelServer.model(), callbackHandler: null }),
    })
  }

  async function listen(server: ReturnType<typeof createServer>): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    )
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  const ask = (url: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"Hi"}' })

  it('in a plain Hono app', async () => {
    const app = await agentApp()
    const outer = new Hono()
    outer.get('/', (c) => c.text('home'))
    outer.route('/agent', app.hono)
    const running = await serve(outer, { port: 0, signals: [] })
    onTestFinished(() => running.close())
    expect(await (await ask(`${running.url}/agent/stream`)).text()).toBe('Mounted answer.')
  })

  it("in Node's http server", async () => {
    const app = await agentApp()
    const url = await listen(createServer(toNodeListener(app)))
    expect(await (await ask(`${url}/stream`)).text()).toBe('Mounted answer.')
  })

  it('in Express, under a path', async () => {
    const app = await agentApp()
    const server = express()
    server.get('/', (_request, response) => {
      response.send('home')
    })
    server.use('/agent', toNodeListener(app))
    const url = await listen(createServer(server))
    expect(await (await ask(`${url}/agent/stream`)).text()).toBe('Mounted answer.')
    expect(await (await fetch(`${url}/`)).text()).toBe('home')
  })
})

describe('shutdown of a stream that ignores its stop', () => {
  it('still closes: the connection is cut after the grace period', async () => {
    const { ServerApp } = await import('./server-app.js')
    const { StreamingResponse } = await import('./streaming-response.js')
    const app = new ServerApp()
    let finallyRan = false
    app.get('/stuck', () => {
      async function* stuck() {
        try {
          yield 'started\n'
          await new Promise(() => {})
        } finally {
          finallyRan = true
        }
      }
      return new StreamingResponse(stuck())
    })
    const running = await serve(app, { port: 0, signals: [], gracePeriodMs: 10 })
    const stream = await openStream(`${running.url}/stuck`)
    await stream.waitFor((text) => text === 'started\n')
    await running.close()
    await expect(stream.done).rejects.toThrow()
    await expect.poll(() => app.activeStreams).toBe(0)
    // The generator is parked forever; it can never run its finally. The server did not wait for it.
    expect(finallyRan).toBe(false)
  })
})
