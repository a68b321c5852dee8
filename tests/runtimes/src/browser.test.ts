// Core + OpenAIModel, bundled by esbuild into a page that headless Chromium (Debian's) loads from one
// loopback origin; the agent streams from the loopback OpenAI-compatible server on another, through CORS.

import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fixturesDirectory } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  chromiumMissing,
  type LaunchedBrowser,
  launchChromium,
} from '../../../packages/server/src/playground/test-support/chromium.ts'
import { bundleForWeb } from './test-support/bundle.ts'
import {
  LoopbackOpenAIServer,
  recordedAnswerText,
  recordedToolCallId,
} from './test-support/loopback-openai-server.ts'

const page =
  '<!doctype html><meta charset="utf-8"><pre id="output"></pre><script type="module" src="/page.js"></script>'

describe.skipIf(fixturesDirectory() === undefined || chromiumMissing())('in headless Chromium', () => {
  let model: LoopbackOpenAIServer
  let browser: LaunchedBrowser
  const site = createServer()

  beforeAll(async () => {
    const bundle = await bundleForWeb({
      path: new URL('./programs/browser-page.ts', import.meta.url).pathname,
    })
    expect(bundle.nodeImports).toEqual([])
    site.on('request', (request, response) => {
      const script = request.url === '/page.js'
      response.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' })
      response.end(script ? bundle.code : page)
    })
    site.listen(0, '127.0.0.1')
    await once(site, 'listening')
    model = await LoopbackOpenAIServer.start()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await model?.close()
    site.close()
  })

  it('runs the offline demo and an OpenAIModel tool turn, streaming text into the page', async () => {
    const tab = await browser.context.newPage()
    const errors: string[] = []
    tab.on('pageerror', (error) => errors.push(error.message))
    await tab.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`)
    await tab.waitForFunction(() => 'runScenarios' in globalThis)
    const outcome = await tab.evaluate(
      (baseURL) => (globalThis as any).runScenarios(baseURL),
      // `localhost` is another origin than the page's 127.0.0.1: every model request is cross-origin.
      model.baseURL.replace('127.0.0.1', 'localhost'),
    )
    expect(errors).toEqual([])
    expect(outcome.offline.text).toMatch(/^2\+2 = 4\n/)
    expect(outcome.openai.text).toBe(recordedAnswerText())
    expect(outcome.openai.toolResults).toMatchObject([
      {
        toolUseId: recordedToolCallId,
        status: 'success',
        content: [{ text: 'Edinburgh: 12 °C, light rain' }],
      },
    ])
    expect(outcome.shown).toBe(recordedAnswerText())
    expect(outcome.textChunks).toBeGreaterThan(100)
    expect(model.preflights).toBeGreaterThan(0)
  })
})
