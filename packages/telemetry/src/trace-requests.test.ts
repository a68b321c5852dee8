import { Agent } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { addAgentRoutes, ServerApp } from '@agent/server'
import { type RunningServer, serve } from '@agent/server/node'
import { SpanKind } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { telemetry, traceRequests } from './index.js'
import { installInMemoryTelemetry, named, parentOf } from './test-support/in-memory-telemetry.js'

let otel: ReturnType<typeof installInMemoryTelemetry>
let server: RunningServer

beforeAll(async () => {
  otel = installInMemoryTelemetry()
  // As the server README says for any middleware: before the routes.
  const app = new ServerApp()
  app.hono.use('*', traceRequests())
  addAgentRoutes(app, {
    agent: () =>
      new Agent({
        name: 'served',
        model: new ScriptedModel([{ content: [{ text: 'traced answer' }] }]),
        callbackHandler: null,
        hooks: [telemetry()],
      }),
  })
  server = await serve(app, { port: 0, signals: [] })
})
afterAll(() => server.close())

describe('an incoming traceparent', () => {
  it('is continued: the server span and the agent spans join the caller trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpanId = '00f067aa0ba902b7'
    const response = await fetch(`${server.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ prompt: 'Hi' }),
    })
    expect(await response.text()).toBe('traced answer')
    await expect.poll(() => otel.spans().some((span) => span.name === 'invoke_agent served')).toBe(true)
    const spans = otel.spans()
    const serverSpan = spans.find((span) => span.kind === SpanKind.SERVER)!
    expect(serverSpan.name).toBe('POST /stream')
    expect(serverSpan.spanContext().traceId).toBe(traceId)
    expect(parentOf(serverSpan)).toBe(callerSpanId)
    expect(serverSpan.attributes['http.response.status_code']).toBe(200)
    const invoke = named(spans, 'invoke_agent served')
    expect(invoke.spanContext().traceId).toBe(traceId)
    expect(parentOf(invoke)).toBe(serverSpan.spanContext().spanId)
    expect(parentOf(named(spans, 'chat scripted'))).toBe(invoke.spanContext().spanId)
  })

  it('without one, the request starts a new trace', async () => {
    otel.reset()
    const response = await fetch(`${server.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Hi' }),
    })
    await response.text()
    await expect.poll(() => otel.spans().some((span) => span.name === 'invoke_agent served')).toBe(true)
    const serverSpan = otel.spans().find((span) => span.kind === SpanKind.SERVER)!
    expect(parentOf(serverSpan)).toBeUndefined()
    expect(parentOf(named(otel.spans(), 'invoke_agent served'))).toBe(serverSpan.spanContext().spanId)
  })
})
