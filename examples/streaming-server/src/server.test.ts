import { OfflineModel } from '@agent/core'
import { serve } from '@agent/server'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from './app.js'
import { evaluateArithmetic } from './calculator.js'

async function start() {
  const running = await serve(createApp({ model: new OfflineModel() }), { port: 0, signals: [] })
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

describe('the placeholder calculator', () => {
  it('follows precedence, parentheses and powers, and rejects anything else', () => {
    expect(evaluateArithmetic('2 + 3 * (4 - 1) ^ 2 / 9')).toBe(5)
    expect(evaluateArithmetic('-2^2')).toBe(-4)
    expect(() => evaluateArithmetic('2 + process.exit()')).toThrow('unexpected "p"')
    expect(() => evaluateArithmetic('1/0')).toThrow('not a finite number')
    expect(() => evaluateArithmetic('(1+2')).toThrow('closing parenthesis')
  })
})
