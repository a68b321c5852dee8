import { Agent } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createAgentServer } from '../agent-routes.js'
import { serve } from '../serve.js'
import { removalTool } from '../test-support/removal-tool.js'
import { chromiumMissing, type LaunchedBrowser, launchChromium } from './test-support/chromium.js'

/** A playground whose sessions are kept in memory, one agent per session id, with a tool that needs approval. */
async function startApprovalPlayground(model: ScriptedModel) {
  const { remove, removed } = removalTool()
  const sessions = new Map<string, Agent>()
  const sessionAgent = ({ sessionId }: { sessionId: string }) => {
    let agent = sessions.get(sessionId)
    if (agent === undefined)
      sessions.set(sessionId, (agent = new Agent({ model, tools: [remove], callbackHandler: null })))
    return agent
  }
  const logged: unknown[] = []
  const app = createAgentServer({
    body: z.object({ prompt: z.string(), sessionId: z.string() }),
    agent: ({ body }) => sessionAgent(body),
    sessionAgent,
    playground: true,
    onError: (error) => logged.push(error),
  })
  const running = await serve(app, { port: 0, signals: [], gracePeriodMs: 0 })
  return { url: running.url, removed, sessions, logged, close: () => running.close() }
}

const twoRemovals = () =>
  new ScriptedModel([
    {
      content: [
        { toolUse: { toolUseId: 't1', name: 'remove', input: { path: 'a.txt' } } },
        { toolUse: { toolUseId: 't2', name: 'remove', input: { path: 'b.txt' } } },
      ],
    },
    { content: [{ text: 'Removed a.txt and kept b.txt.' }] },
  ])

describe.skipIf(chromiumMissing())('the playground approval card in headless Chromium', () => {
  let browser: LaunchedBrowser
  const cleanups: (() => Promise<void>)[] = []
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function open(model: ScriptedModel) {
    const server = await startApprovalPlayground(model)
    cleanups.push(server.close)
    const page = await browser.context.newPage()
    cleanups.push(() => page.close())
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    await page.goto(`${server.url}/`)
    return { server, page, problems }
  }

  it('approve one call and deny the other with a reason: the run resumes and the model reads the reason', async () => {
    const model = twoRemovals()
    const { server, page, problems } = await open(model)
    await page.fill('#prompt', 'remove a.txt and b.txt')
    await page.click('#send')

    await page.waitForSelector('.turn[data-state="waiting"]')
    const cards = page.locator('.approval-card')
    expect(await cards.count()).toBe(2)
    expect(await cards.first().locator('.approval-title').textContent()).toBe('Approve remove?')
    expect(JSON.parse((await cards.first().locator('.approval-reason').textContent()) ?? '')).toEqual({
      tool: 'remove',
      input: { path: 'a.txt' },
    })
    expect(await page.locator('.turn .status').first().textContent()).toBe('Waiting for your answer.')
    expect(server.removed).toEqual([])

    await cards.first().locator('button.approve').click()
    expect(await cards.first().getAttribute('data-state')).toBe('approved')
    await cards.nth(1).locator('.approval-deny-reason').fill('b is still needed')
    await cards.nth(1).locator('button.deny').click()

    await page.waitForSelector('.turn:nth-of-type(2)[data-state="done"]')
    const resumed = page.locator('.turn').nth(1)
    expect(await resumed.locator('.user-prompt').textContent()).toBe(
      'Resume: approved, denied (b is still needed)',
    )
    expect(await resumed.locator('.tool-call').count()).toBe(2)
    expect(await resumed.locator('.answer').last().textContent()).toBe('Removed a.txt and kept b.txt.')
    expect(server.removed).toEqual(['a.txt'])
    expect(JSON.stringify(model.requests.at(-1)!.messages.at(-1))).toContain('b is still needed')
    const agent = [...server.sessions.values()][0]!
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(problems).toEqual([])
    expect(server.logged).toEqual([])
  })

  it('a new prompt instead of an answer expires the cards and the conversation stays valid', async () => {
    const model = twoRemovals()
    const { server, page, problems } = await open(model)
    await page.fill('#prompt', 'remove a.txt and b.txt')
    await page.click('#send')
    await page.waitForSelector('.turn[data-state="waiting"]')
    await page.fill('#prompt', 'never mind')
    await page.click('#send')
    await page.waitForSelector('.turn:nth-of-type(2)[data-state="done"]')
    expect(await page.locator('.approval-card[data-state="expired"]').count()).toBe(2)
    expect(await page.locator('.approval-card button.approve').first().isDisabled()).toBe(true)
    expect(server.removed).toEqual([])
    const agent = [...server.sessions.values()][0]!
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(problems).toEqual([])
  })
})
