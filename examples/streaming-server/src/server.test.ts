import { type Model, OfflineModel } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { serve } from '@agent/server/node'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from './app.js'

async function start(model: Model = new OfflineModel()) {
  const running = await serve(createApp({ model }), { port: 0, signals: [] })
  onTestFinished(() => running.close())
  return running.url
}

const ask = (url: string, body: unknown, contentType = 'application/json') =>
  fetch(`${url}/stream`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: JSON.stringify(body),
  })

describe('the seed streaming server', () => {
  it('streams the answer to "Calculate 2+2" as text', async () => {
    const url = await start()
    const response = await ask(url, { prompt: 'Calculate 2+2' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const text = await response.text()
    expect(text).toMatch(/^2\+2 = 4\n/)
  })

  it('stops the agent when the client disconnects (pressing stop)', async () => {
    const model = new ScriptedModel([
      {
        hang: true,
        events: [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Thinking' } } },
        ],
      },
    ])
    const url = await start(model)
    const controller = new AbortController()
    const response = await fetch(`${url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Write a long essay' }),
      signal: controller.signal,
    })
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('Thinking')
    expect(model.requests[0]!.signal!.aborted).toBe(false)
    controller.abort()
    await expect.poll(() => model.requests[0]!.signal!.aborted).toBe(true)
  })

  it('validates the PromptRequest body like FastAPI', async () => {
    const url = await start()
    const response = await ask(url, { question: 'Calculate 2+2' })
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [{ type: 'missing', loc: ['body', 'prompt'], msg: 'Field required' }],
    })
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as any
    expect(document.components.schemas.PromptRequest.required).toEqual(['prompt'])
  })
})
