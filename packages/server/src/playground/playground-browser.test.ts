import { mkdir, stat } from 'node:fs/promises'
import { Agent, OfflineModel, tool } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { serve } from '../serve.js'
import { ServerApp } from '../server-app.js'
import { EventSourceResponse } from '../server-sent-events.js'
import { textEvents } from '../test-support/loopback-model-server.js'
import { mountPlayground } from './mount-playground.js'
import { calculator } from './test-support/calculator-tool.js'
import { chromiumMissing, type LaunchedBrowser, launchChromium } from './test-support/chromium.js'
import { startCuttingProxy } from './test-support/cutting-proxy.js'
import { startPlaygroundServer } from './test-support/playground-server.js'

const resultsDirectory = new URL('../../test-results/', import.meta.url)

describe.skipIf(chromiumMissing())('the playground in headless Chromium', () => {
  let browser: LaunchedBrowser
  const cleanups: (() => Promise<void>)[] = []

  beforeAll(async () => {
    browser = await launchChromium()
    await mkdir(resultsDirectory, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  /** Opens `url` in a new tab, recording every request it makes and every script error. */
  async function openPage(url: string) {
    const page = await browser.context.newPage()
    cleanups.push(() => page.close())
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    const pageErrors: Error[] = []
    page.on('pageerror', (error) => pageErrors.push(error))
    // Content-Security-Policy violations and failed loads are reported as console errors.
    const consoleErrors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    await page.goto(url)
    return { page, requests, pageErrors, consoleErrors }
  }

  async function openPlayground(options: Parameters<typeof startPlaygroundServer>[0]) {
    const server = await startPlaygroundServer(options)
    cleanups.push(server.close)
    return { server, ...(await openPage(`${server.url}/`)) }
  }

  async function send(page: Page, prompt: string) {
    await page.fill('#prompt', prompt)
    await page.click('#send')
  }

  async function timelineOf(page: Page): Promise<string[]> {
    return page.locator('.timeline-entry .label').allTextContents()
  }

  it('streams "Calculate 2+2": the tool call with its input, its result, and an answer with 4', async () => {
    const { page, server, requests, pageErrors, consoleErrors } = await openPlayground({
      agent: () => new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null }),
      playground: { examplePrompts: ['Calculate 2+2'] },
    })
    await page.click('.example-prompt')
    expect(await page.inputValue('#prompt')).toBe('Calculate 2+2')
    await page.press('#prompt', 'Enter')

    await page.waitForSelector('.turn[data-state="done"]')
    const turn = page.locator('.turn')
    const toolCall = turn.locator('.tool-call')
    expect(await toolCall.count()).toBe(1)
    expect(await toolCall.locator('.tool-name').textContent()).toBe('calculator')
    expect(JSON.parse((await toolCall.locator('.tool-input').textContent()) ?? '')).toEqual({
      expression: '2+2',
    })
    expect(await toolCall.getAttribute('data-state')).toBe('success')
    expect(await toolCall.locator('.tool-result').textContent()).toBe('4')
    expect(await turn.locator('.answer').last().textContent()).toContain('2+2 = 4')
    expect(await turn.locator('.status').textContent()).toBe('Finished (end_turn).')

    const timeline = await timelineOf(page)
    const expectedOrder = [
      'run started',
      'cycle 1: model called',
      'model finished: tool_use',
      'tool calculator: success',
      'cycle 2: model called',
      'model finished: end_turn',
      'finished: end_turn',
    ]
    expect(timeline.filter((label) => expectedOrder.includes(label))).toEqual(expectedOrder)
    const tokens = await turn.locator('[data-metric="Tokens"] dd').textContent()
    expect(tokens).toMatch(/^[1-9]\d* in · [1-9]\d* out · [1-9]\d* total$/)
    expect(await turn.locator('[data-metric="Cycles"] dd').textContent()).toBe('2')
    for (const metric of ['Model latency', 'Run duration', 'First token (browser)']) {
      expect(await turn.locator(`[data-metric="${metric}"] dd`).textContent()).toMatch(/^\d+(\.\d+)? m?s$/)
    }

    const screenshot = new URL('playground-calculate.png', resultsDirectory)
    await page.screenshot({ path: screenshot.pathname, fullPage: true })
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000)

    expect(pageErrors).toEqual([])
    expect(consoleErrors).toEqual([])
    // The page, its script, its stylesheet and the run: nothing from anywhere else.
    expect(requests.length).toBe(4)
    expect(requests.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([])
    expect(server.agents).toHaveLength(1)
    expect(conversationProblems(server.agents[0]!.messages)).toEqual([])
    expect(await page.isDisabled('#stop')).toBe(true)
    expect(await page.isEnabled('#send')).toBe(true)
    expect(server.logged).toEqual([])
  })

  it('Stop during a long answer closes the request, and the server aborts the run and its model request', async () => {
    const { page, server, pageErrors } = await openPlayground({
      agent: (modelServer) => new Agent({ model: modelServer.model(), callbackHandler: null }),
    })
    // A long answer that stops coming after five words: only an abort can end this model request.
    const words = Array.from({ length: 500 }, (_, index) => `word${index}`).join(' ')
    server.modelServer.script({ events: textEvents(words), pauseAt: 6 })
    await send(page, 'Tell me a very long story.')
    const answer = page.locator('.turn .answer')
    await answer.waitFor()
    await expect.poll(() => answer.textContent()).toBe('word0 word1 word2 word3 word4 ')
    expect(await page.isEnabled('#stop')).toBe(true)
    await page.click('#stop')
    await page.waitForSelector('.turn[data-state="stopped"]')
    expect(await page.isEnabled('#send')).toBe(true)

    // The loopback model server sees its request closed by the client: the server aborted the run.
    const modelRequest = await server.modelServer.request(0)
    expect(await modelRequest.ended).toBe('closed-by-client')
    const agent = server.agents[0]!
    await expect.poll(() => agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(agent.messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ text: 'word0 word1 word2 word3 word4 ' }],
    })
    expect(server.modelServer.requests).toHaveLength(1)

    expect(await page.locator('.turn .status').textContent()).toBe('Stopped.')
    expect(await page.locator('[data-metric="Tokens"] dd').textContent()).toBe(
      'not reported (the run ended before the model sent usage)',
    )
    expect((await timelineOf(page)).at(-1)).toMatch(/^stopped: /)
    await page.screenshot({ path: new URL('playground-stopped.png', resultsDirectory).pathname })
    expect(pageErrors).toEqual([])
    expect(server.logged).toEqual([])
  })

  it('resumes with Last-Event-ID when the connection drops mid-run: no gap, no duplicate, one model request', async () => {
    const server = await startPlaygroundServer({
      agent: (modelServer) => new Agent({ model: modelServer.model(), callbackHandler: null }),
      routes: { retryMs: 50 },
    })
    cleanups.push(server.close)
    // The model sends two words, then waits until the test lets it go on.
    server.modelServer.script({ events: textEvents('alpha beta gamma delta epsilon'), pauseAt: 3 })
    const proxy = await startCuttingProxy(Number(new URL(server.url).port))
    cleanups.push(proxy.close)
    const { page, pageErrors } = await openPage(`${proxy.url}/`)
    await send(page, 'Five words, please.')
    await expect.poll(() => page.locator('.answer').textContent()).toBe('alpha beta ')

    // The connection drops while the model is mid-answer; the page reconnects with Last-Event-ID.
    proxy.cut()
    await page.waitForSelector('.timeline-entry .label:text-matches("^resumed: HTTP 200$")')
    server.modelServer.resume()
    await page.waitForSelector('.turn[data-state="done"]')

    expect(await page.locator('.answer').allTextContents()).toEqual(['alpha beta gamma delta epsilon'])
    const timeline = await timelineOf(page)
    expect(
      timeline.filter((label) => label.startsWith('connection lost: resuming after event ')),
    ).toHaveLength(1)
    expect(timeline.filter((label) => label === 'run started')).toHaveLength(1)
    expect(timeline.at(-1)).toBe('finished: end_turn')
    expect(server.modelServer.requests).toHaveLength(1)
    expect(conversationProblems(server.agents[0]!.messages)).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('shows reasoning collapsed, and renders model output as text, never as HTML', async () => {
    const hostile = '<img src=x onerror="document.title=\'pwned\'"><b>bold?</b>'
    const { page, pageErrors } = await openPlayground({
      agent: () =>
        new Agent({
          model: new ScriptedModel([
            {
              content: [
                { reasoningContent: { reasoningText: { text: 'The user wants markup echoed back.' } } },
                { text: hostile },
              ],
            },
          ]),
          callbackHandler: null,
        }),
    })
    await send(page, 'Echo some markup')
    await page.waitForSelector('.turn[data-state="done"]')
    const reasoning = page.locator('details.reasoning')
    expect(await reasoning.getAttribute('open')).toBeNull()
    expect(await reasoning.locator('summary').textContent()).toBe('Reasoning (34 characters)')
    expect(await reasoning.locator('.reasoning-text').isVisible()).toBe(false)
    await reasoning.locator('summary').click()
    expect(await reasoning.locator('.reasoning-text').isVisible()).toBe(true)
    expect(await reasoning.locator('.reasoning-text').textContent()).toBe(
      'The user wants markup echoed back.',
    )

    expect(await page.locator('.answer').textContent()).toBe(hostile)
    expect(await page.locator('.output img, .output b').count()).toBe(0)
    expect(await page.title()).toBe('Agent playground')
    expect(pageErrors).toEqual([])
  })

  it("shows a streaming tool's progress live, and a failing tool as failed while the run goes on", async () => {
    let releaseTool!: () => void
    const toolMayFinish = new Promise<void>((resolve) => (releaseTool = resolve))
    const countdown = tool({
      name: 'countdown',
      description: 'Counts down, reporting each step.',
      inputSchema: z.object({ from: z.number() }),
      callback: async function* ({ from }) {
        for (let step = from; step > 0; step--) yield `${step}…`
        await toolMayFinish
        return 'liftoff'
      },
    })
    const broken = tool({
      name: 'broken',
      description: 'Always fails.',
      inputSchema: z.object({}),
      callback: () => {
        throw new Error('The broken tool is broken.')
      },
    })
    const { page, server, pageErrors } = await openPlayground({
      agent: () =>
        new Agent({
          model: new ScriptedModel([
            {
              content: [
                { toolUse: { toolUseId: 'c1', name: 'countdown', input: { from: 3 } } },
                { toolUse: { toolUseId: 'b1', name: 'broken', input: {} } },
              ],
            },
            { content: [{ text: 'Counted down; the other tool failed.' }] },
          ]),
          tools: [countdown, broken],
          callbackHandler: null,
        }),
    })
    await send(page, 'Count down from 3')
    const countdownCard = page.locator('.tool-call[data-tool-use-id="c1"]')
    await expect
      .poll(() => countdownCard.locator('.tool-progress li').allTextContents())
      .toEqual(['3…', '2…', '1…'])
    expect(await countdownCard.getAttribute('data-state')).toBe('running')
    expect(await countdownCard.locator('.tool-state').textContent()).toBe('running…')
    releaseTool()

    await page.waitForSelector('.turn[data-state="done"]')
    expect(await countdownCard.locator('.tool-result').textContent()).toBe('liftoff')
    const brokenCard = page.locator('.tool-call[data-tool-use-id="b1"]')
    expect(await brokenCard.getAttribute('data-state')).toBe('error')
    expect(await brokenCard.locator('.tool-state').textContent()).toBe('failed')
    expect(await brokenCard.locator('.tool-result').textContent()).toContain('The broken tool is broken.')
    expect(await page.locator('.answer').textContent()).toBe('Counted down; the other tool failed.')
    expect(await timelineOf(page)).toEqual(
      expect.arrayContaining(['tool broken: error', 'tool countdown: success', 'finished: end_turn']),
    )
    expect(conversationProblems(server.agents[0]!.messages)).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('shows a provider error mid-stream: the text so far, the force stop and a safe message', async () => {
    const { page, server } = await openPlayground({
      agent: (modelServer) => new Agent({ model: modelServer.model(), callbackHandler: null }),
    })
    server.modelServer.script({
      events: textEvents('Partial answer').slice(0, 3),
      errorMessage: 'Upstream failed with api_key=sk-live1234567890; try again later.',
    })
    await send(page, 'Say something')
    await page.waitForSelector('.turn[data-state="error"]')
    expect(await page.locator('.answer').textContent()).toBe('Partial answer')
    const status = (await page.locator('.turn .status').textContent()) ?? ''
    expect(status).toMatch(/^Error: Upstream failed with .+; try again later\. \(error id [\w-]+\)$/)
    expect(await page.content()).not.toContain('sk-live1234567890')
    expect((await timelineOf(page)).some((label) => label.startsWith('force stop: ModelError: '))).toBe(true)
    expect(conversationProblems(server.agents[0]!.messages)).toEqual([])
    expect(server.logged).toHaveLength(1)
    expect(await page.isEnabled('#send')).toBe(true)
  })

  it('shows HTTP errors with their FastAPI detail: a body too large (413)', async () => {
    const { page, server } = await openPlayground({
      agent: () => new Agent({ model: new OfflineModel(), callbackHandler: null }),
      app: { maxBodyBytes: 64 },
    })
    await send(page, 'x'.repeat(100))
    await page.waitForSelector('.turn[data-state="error"]')
    expect(await page.locator('.turn .status').textContent()).toMatch(/^Error: HTTP 413: .+/)
    expect(server.agents).toHaveLength(0)
  })

  it('shows HTTP errors with their FastAPI detail: the server at its stream cap (503, Retry-After)', async () => {
    const { page, server } = await openPlayground({
      agent: (modelServer) => new Agent({ model: modelServer.model(), callbackHandler: null }),
      app: { maxConcurrentStreams: 1, retryAfterSeconds: 3 },
    })
    // Another client holds the only stream slot with a run that waits.
    server.modelServer.script({ events: textEvents('Busy'), pauseAt: 1 })
    const other = new AbortController()
    const busy = await fetch(`${server.url}/stream/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ prompt: 'Hold the slot' }),
      signal: other.signal,
    })
    expect(busy.status).toBe(200)
    cleanups.push(async () => other.abort())
    await send(page, 'Hello')
    await page.waitForSelector('.turn[data-state="error"]')
    expect(await page.locator('.turn .status').textContent()).toMatch(
      /^Error: HTTP 503: .+ Retry after 3 s\.$/,
    )
  })

  it('puts retries and tool failures on the timeline, and says when a stream ends without a result', async () => {
    // The core loop does not retry yet, so this route replays an event stream with a `throttled` event in it.
    const frames = [
      { type: 'init_event_loop', init_event_loop: true },
      { type: 'start_event_loop', start_event_loop: true, cycle: 1 },
      { type: 'throttled', event_loop_throttled_delay: 2 },
      { type: 'start_event_loop', start_event_loop: true, cycle: 1 },
      {
        type: 'tool_use_stream',
        current_tool_use: { toolUseId: 't1', name: 'calculator', input: '{"expression":"1/x"}' },
        delta: { toolUse: { input: '{"expression":"1/x"}' } },
      },
      {
        type: 'tool_result',
        tool_result: { toolUseId: 't1', status: 'error', content: [{ text: 'Cannot compute "1/x".' }] },
      },
    ]
    const app = new ServerApp()
    app.post(
      '/stream/events',
      () =>
        new EventSourceResponse([
          { comment: 'ping' },
          ...frames.map((frame, index) => ({ id: String(index + 1), event: frame.type, data: frame })),
        ]),
    )
    mountPlayground(app)
    const running = await serve(app, { port: 0, signals: [] })
    cleanups.push(running.close)
    const { page } = await openPage(`${running.url}/`)
    await send(page, 'Divide')
    await page.waitForSelector('.turn[data-state="error"]')
    expect(await timelineOf(page)).toEqual(
      expect.arrayContaining([
        'throttled by the provider: retrying in 2 s',
        'tool calculator: error',
        'error: The stream ended before the run finished.',
      ]),
    )
    expect(await page.locator('.tool-call').getAttribute('data-state')).toBe('error')
    expect(await page.locator('.tool-call .tool-result').textContent()).toBe('Cannot compute "1/x".')
  })
})
