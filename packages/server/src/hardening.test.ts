import { request as httpRequest } from 'node:http'
import { Agent } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { basicAuth } from 'hono/basic-auth'
import { bearerAuth } from 'hono/bearer-auth'
import { HTTPException as HonoHTTPException } from 'hono/http-exception'
import { describe, expect, it, onTestFinished } from 'vitest'
import { addAgentRoutes } from './agent-routes.js'
import { HTTPException } from './http-exception.js'
import { serve } from './serve.js'
import { ServerApp, type ServerAppOptions } from './server-app.js'

async function start(options: ServerAppOptions = {}, hostname = '127.0.0.1') {
  let agentsMade = 0
  const app = new ServerApp({ onError: () => {}, ...options })
  addAgentRoutes(app, {
    agent: () => {
      agentsMade++
      return new Agent({ model: new ScriptedModel([{ content: [{ text: 'ran' }] }]), callbackHandler: null })
    },
  })
  const running = await serve(app, { port: 0, hostname, signals: [] })
  onTestFinished(() => running.close())
  return { app, running, agentsMade: () => agentsMade }
}

/** A request with a chosen Host header (fetch does not let a caller set it), as a rebound page sends. */
function requestWithHost(
  port: number,
  host: string,
  path = '/stream',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { host, 'content-type': 'application/json' },
        agent: false,
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      },
    )
    request.on('error', reject)
    request.end(JSON.stringify({ prompt: 'Hi' }))
  })
}

describe('DNS rebinding guard (Host check)', () => {
  it('on a loopback address, answers 421 to a foreign host name without running the agent', async () => {
    const { running, agentsMade } = await start()
    const rebound = await requestWithHost(running.port, `evil.example:${running.port}`)
    expect(rebound.status).toBe(421)
    expect(rebound.body).toMatch(/allowedHosts/)
    expect(agentsMade()).toBe(0)
    for (const host of [`127.0.0.1:${running.port}`, `localhost:${running.port}`, 'app.localhost', '[::1]']) {
      const local = await requestWithHost(running.port, host)
      expect([host, local.status, local.body]).toEqual([host, 200, 'ran'])
    }
  })

  it('accepts the names listed in allowedHosts, on any address', async () => {
    const { running } = await start({ allowedHosts: ['agent.example.com', '.internal.example'] })
    expect((await requestWithHost(running.port, 'agent.example.com')).status).toBe(200)
    expect((await requestWithHost(running.port, 'a.b.internal.example:8080')).status).toBe(200)
    expect((await requestWithHost(running.port, 'evil.example')).status).toBe(421)
    expect((await requestWithHost(running.port, 'agent.example.com.evil.example')).status).toBe(421)
    const any = await start({ allowedHosts: ['*'] })
    expect((await requestWithHost(any.running.port, 'evil.example')).status).toBe(200)
  })
})

describe("Hono's HTTPException", () => {
  it('keeps the status of bearerAuth and basicAuth middleware mounted with app.hono.use', async () => {
    const app = new ServerApp({ onError: () => {} })
    app.hono.use('/bearer/*', bearerAuth({ token: 'right' }))
    app.hono.use('/basic/*', basicAuth({ username: 'ada', password: 'right' }))
    app.get('/bearer/data', () => ({ ok: true }))
    app.get('/basic/data', () => ({ ok: true }))
    app.get('/custom', () => {
      throw new HonoHTTPException(402, { message: 'Pay first' })
    })
    const running = await serve(app, { port: 0, signals: [] })
    onTestFinished(() => running.close())
    const bearer = await fetch(`${running.url}/bearer/data`, { headers: { authorization: 'Bearer wrong' } })
    expect(bearer.status).toBe(401)
    expect(bearer.headers.get('www-authenticate')).toMatch(/Bearer/)
    const basic = await fetch(`${running.url}/basic/data`)
    expect(basic.status).toBe(401)
    expect(basic.headers.get('www-authenticate')).toMatch(/Basic/)
    const custom = await fetch(`${running.url}/custom`)
    expect(custom.status).toBe(402)
    expect(await custom.text()).toBe('Pay first')
    const allowed = await fetch(`${running.url}/bearer/data`, { headers: { authorization: 'Bearer right' } })
    expect(await allowed.json()).toEqual({ ok: true })
  })

  it('ours is a Hono HTTPException, so a plain Hono app answers with its JSON', async () => {
    const error = new HTTPException(404, 'No such item')
    expect(error).toBeInstanceOf(HonoHTTPException)
    expect(error.status).toBe(404)
    const response = error.getResponse()
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ detail: 'No such item' })
  })
})

describe('/openapi.json media types', () => {
  it('describes each route by the media types it really answers with', async () => {
    const app = new ServerApp()
    addAgentRoutes(app, { agent: () => new Agent({ callbackHandler: null }) })
    const document = app.openapi() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>
      >
    }
    const mediaTypes = (path: string, method: string) =>
      Object.keys(document.paths[path]![method]!.responses[200]!.content ?? {})
    expect(mediaTypes('/invoke', 'post')).toEqual(['application/json'])
    expect(mediaTypes('/stream', 'post')).toEqual(['text/plain', 'application/x-ndjson', 'text/event-stream'])
    expect(mediaTypes('/stream/events', 'post')).toEqual(['text/event-stream', 'application/x-ndjson'])
    expect(mediaTypes('/stream/events', 'get')).toEqual(['text/event-stream'])
    expect(Object.keys(document.paths['/stream/events/{runId}']!.delete!.responses)).toContain('204')
    expect(document.paths['/stream/events/{runId}']!.delete!.responses[204]!.content).toBeUndefined()
  })
})
