import { mkdir, stat } from 'node:fs/promises'
import { Agent, ModelError, OfflineModel } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import { Hono } from 'hono'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { mountPlayground } from './mount-playground.js'
import { calculator } from './test-support/calculator-tool.js'
import { chromiumMissing, type LaunchedBrowser, launchChromium } from './test-support/chromium.js'
import { interimEventStreamApp } from './test-support/interim-event-stream-route.js'
import { LoopbackModel } from './test-support/loopback-model.js'
import { type LoopbackModelServer, startLoopbackModelServer } from './test-support/loopback-model-server.js'
import { serveOnLoopback } from './test-support/serve-app.js'

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

  /** Serves the playground and the agent routes; every agent made is kept for checks. */
  async function openPlayground(createAgent: () => Agent, configure?: (app: Hono) => void) {
    const agents: Agent[] = []
    const app = new Hono()
    // Routes added by `configure` come first, so a test can replace the agent route.
    configure?.(app)
    app.route(
      '/',
      interimEventStreamApp(() => {
        const agent = createAgent()
        agents.push(agent)
        return agent
      }),
    )
    mountPlayground(app, { examplePrompts: ['Calculate 2+2'] })
    const server = await serveOnLoopback(app)
    cleanups.push(server.close)
    const page = await browser.context.newPage()
    cleanups.push(() => page.close())
    // Everything the page loads or calls must come from the server under test.
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    const pageErrors: Error[] = []
    page.on('pageerror', (error) => pageErrors.push(error))
    await page.goto(`${server.origin}/`)
    return { page, agents, requests, pageErrors, origin: server.origin }
  }

  async function send(page: Page, prompt: string) {
    await page.fill('#prompt', prompt)
    await page.click('#send')
  }

  it('streams "Calculate 2+2": the tool call with its input, its result, and an answer with 4', async () => {
    const { page, agents, requests, pageErrors, origin } = await openPlayground(
      () =>
        new Agent({
          model: new OfflineModel(),
          tools: [calculator],
          callbackHandler: null,
          name: 'playground',
        }),
    )
    await page.click('.example-prompt')
    await expect.poll(() => page.inputValue('#prompt')).toBe('Calculate 2+2')
    await page.press('#prompt', 'Enter')

    const turn = page.locator('.turn').last()
    await page.waitForSelector('.turn[data-state="done"]')
    const toolCall = turn.locator('.tool-call')
    await expect.poll(() => toolCall.count()).toBe(1)
    expect(await toolCall.locator('.tool-name').textContent()).toBe('calculator')
    expect(JSON.parse((await toolCall.locator('.tool-input').textContent()) ?? '')).toEqual({
      expression: '2+2',
    })
    expect(await toolCall.getAttribute('data-state')).toBe('success')
    expect(await toolCall.locator('.tool-result').textContent()).toBe('4')
    expect(await turn.locator('.answer').last().textContent()).toContain('2+2 = 4')
    expect(await turn.locator('.status').textContent()).toBe('Finished (end_turn).')

    const timeline = await turn.locator('.timeline-entry .label').allTextContents()
    expect(timeline).toEqual(
      expect.arrayContaining([
        'run started',
        'cycle 1: model called',
        'model finished: tool_use',
        'tool calculator: success',
        'cycle 2: model called',
        'finished: end_turn',
      ]),
    )
    expect(timeline.indexOf('tool calculator: success')).toBeLessThan(
      timeline.indexOf('cycle 2: model called'),
    )
    const tokens = await turn.locator('[data-metric="Tokens"] dd').textContent()
    expect(tokens).toMatch(/^\d+ in · [1-9]\d* out · [1-9]\d* total$/)
    expect(await turn.locator('[data-metric="Cycles"] dd').textContent()).toBe('2')
    expect(await turn.locator('[data-metric="Run duration"]').count()).toBe(1)

    const screenshot = new URL('playground-calculate.png', resultsDirectory)
    await page.screenshot({ path: screenshot.pathname, fullPage: true })
    expect((await stat(screenshot)).size).toBeGreaterThan(1000)

    expect(pageErrors).toEqual([])
    expect(requests.length).toBeGreaterThanOrEqual(4)
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([])
    expect(agents).toHaveLength(1)
    expect(conversationProblems(agents[0]!.messages)).toEqual([])
    expect(await page.isDisabled('#stop')).toBe(true)
    expect(await page.isEnabled('#send')).toBe(true)
  })

  describe('with a slow model behind a loopback HTTP server', () => {
    let modelServer: LoopbackModelServer
    beforeAll(async () => {
      // A long answer: 2 000 words, one every 10 ms (20 s), so it is still streaming when Stop is pressed.
      const words = Array.from({ length: 2000 }, (_, index) => ({
        contentBlockDelta: { contentBlockIndex: 0, delta: { text: `word${index} ` } },
      }))
      modelServer = await startLoopbackModelServer(() => ({
        delayMs: 10,
        events: [
          { messageStart: { role: 'assistant' } },
          ...words,
          { contentBlockStop: { contentBlockIndex: 0 } },
          { messageStop: { stopReason: 'end_turn' } },
        ],
      }))
    })
    afterAll(() => modelServer?.close())

    it('Stop closes the request, and the server aborts the run and its model request', async () => {
      const { page, agents, pageErrors } = await openPlayground(
        () => new Agent({ model: new LoopbackModel(modelServer.url), callbackHandler: null }),
      )
      await send(page, 'Tell me a very long story.')
      const answer = page.locator('.turn .answer')
      await answer.waitFor()
      await expect.poll(() => answer.textContent()).toContain('word3 ')
      expect(await page.isEnabled('#stop')).toBe(true)
      await page.click('#stop')

      // The loopback model server sees its request closed before the answer was complete.
      expect(modelServer.requests).toHaveLength(1)
      await modelServer.requests[0]!.closedEarly
      await expect.poll(() => agents[0]!.isRunning).toBe(false)
      expect(conversationProblems(agents[0]!.messages)).toEqual([])
      const partial = agents[0]!.messages.at(-1)
      expect(partial?.role).toBe('assistant')

      expect(await page.locator('.turn .status').textContent()).toBe('Stopped.')
      expect(await page.locator('.turn').getAttribute('data-state')).toBe('stopped')
      const timeline = await page.locator('.timeline-entry .label').allTextContents()
      expect(timeline.at(-1)).toMatch(/^stopped/)
      expect(await answer.textContent()).not.toContain('word1999')
      expect(await page.isEnabled('#send')).toBe(true)
      await page.screenshot({ path: new URL('playground-stopped.png', resultsDirectory).pathname })
      expect(pageErrors).toEqual([])
    })
  })

  it('shows reasoning collapsed, and renders model output as text, never as HTML', async () => {
    const hostile = '<img src=x onerror="document.title=\'pwned\'"><b>bold?</b>'
    const { page, pageErrors } = await openPlayground(
      () =>
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
    )
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
    expect(await page.title()).not.toBe('pwned')
    expect(pageErrors).toEqual([])
  })

  it('shows an error mid-stream with the text so far, the force stop and a safe message', async () => {
    const { page, agents } = await openPlayground(
      () =>
        new Agent({
          model: new ScriptedModel([
            {
              events: [
                { messageStart: { role: 'assistant' } },
                { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Partial answer ' } } },
              ],
              error: new ModelError('The provider is unavailable; try again later.', { status: 503 }),
            },
          ]),
          callbackHandler: null,
        }),
    )
    await send(page, 'Say something')
    await page.waitForSelector('.turn[data-state="error"]')
    expect(await page.locator('.answer').textContent()).toBe('Partial answer ')
    expect(await page.locator('.turn .status').textContent()).toBe(
      'Error: The provider is unavailable; try again later.',
    )
    const timeline = await page.locator('.timeline-entry .label').allTextContents()
    expect(timeline).toContain('force stop: ModelError: The provider is unavailable; try again later.')
    expect(conversationProblems(agents[0]!.messages)).toEqual([])
    expect(await page.isEnabled('#send')).toBe(true)
  })

  it('shows an HTTP error with its FastAPI detail and the Retry-After', async () => {
    const { page } = await openPlayground(
      () => new Agent({ model: new OfflineModel(), callbackHandler: null }),
      (app) => {
        app.post('/stream/events', (context) =>
          context.json({ detail: 'Too many streams; retry shortly.' }, 503, { 'retry-after': '2' }),
        )
      },
    )
    await send(page, 'Hello')
    await page.waitForSelector('.turn[data-state="error"]')
    expect(await page.locator('.turn .status').textContent()).toBe(
      'Error: HTTP 503: Too many streams; retry shortly.. Retry after 2 s.',
    )
  })

  it('puts retries and tool failures on the timeline', async () => {
    // The core loop does not retry yet, so this replays an event stream with a `throttled` event in it.
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
    const { page } = await openPlayground(
      () => new Agent({ model: new OfflineModel(), callbackHandler: null }),
      (app) => {
        app.post('/stream/events', () => {
          const text = frames
            .map(
              (frame, index) =>
                `: ping\r\nid: ${index + 1}\r\nevent: ${frame.type}\r\ndata: ${JSON.stringify(frame)}\r\n\r\n`,
            )
            .join('')
          return new Response(text, { headers: { 'content-type': 'text/event-stream' } })
        })
      },
    )
    await send(page, 'Divide')
    await page.waitForSelector('.turn[data-state="error"]')
    const timeline = await page.locator('.timeline-entry .label').allTextContents()
    expect(timeline).toEqual(
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
