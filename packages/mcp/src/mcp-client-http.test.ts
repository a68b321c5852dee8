import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { McpClient, type McpClientOptions } from './index.js'
import { callThroughAgent, textOf } from './test-support/agent-calls.ts'
import { startHttpFixtureServer } from './test-support/http-fixture-server.ts'

let fixture: Awaited<ReturnType<typeof startHttpFixtureServer>>
const clients: McpClient[] = []

beforeAll(async () => {
  fixture = await startHttpFixtureServer()
})
afterAll(async () => {
  await fixture.close()
})
afterEach(async () => {
  fixture.faults.failNextPosts = 0
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

function httpClient(options: Partial<McpClientOptions> = {}): McpClient {
  const client = new McpClient({
    transport: { url: fixture.url },
    timeoutMs: 5000,
    reconnectDelayMs: 10,
    ...options,
  })
  clients.push(client)
  return client
}

describe('McpClient over Streamable HTTP', () => {
  it('lists and calls tools, with headers sent and every content kind mapped', async () => {
    const client = httpClient({
      prefix: 'web',
      transport: { url: fixture.url, headers: { 'x-api-key': 'k' } },
    })
    expect(client.name).toBe(`mcp:${new URL(fixture.url).host}`)
    const echo = await callThroughAgent(client, 'web_echo', { text: 'over http' })
    expect(echo.result).toMatchObject({ status: 'success', content: [{ text: 'echo: over http' }] })
    const rich = await callThroughAgent(client, 'web_rich')
    expect(rich.result!.content.at(-1)).toEqual({ json: { temperature: 21, unit: 'C' } })
  })

  it('streams progress', async () => {
    const { streamed, result } = await callThroughAgent(httpClient(), 'count', { n: 2 })
    expect(textOf(result)).toBe('counted to 2')
    expect(streamed.length).toBeGreaterThanOrEqual(1)
    expect(streamed.at(-1)).toMatchObject({ total: 2 })
  })

  it('ends a hang at its deadline and the cancellation reaches the server', async () => {
    const before = fixture.log.cancelled.length
    const { result } = await callThroughAgent(httpClient({ timeoutMs: 300 }), 'hang')
    expect(result!.status).toBe('error')
    await expect.poll(() => fixture.log.cancelled.length).toBeGreaterThan(before)
  })

  it('turns a 5xx into an error result, then the next call reconnects', async () => {
    const client = httpClient()
    await client.loadTools(new AbortController().signal)
    fixture.faults.failNextPosts = 1
    const failed = await callThroughAgent(client, 'echo', { text: 'x' })
    expect(failed.result!.status).toBe('error')
    expect(textOf(failed.result)).toMatch(/HTTP 502/)
    const after = await callThroughAgent(client, 'echo', { text: 'again' })
    expect(textOf(after.result)).toBe('echo: again')
  })

  it('re-initialises once when the session expired (HTTP 404) and the call goes through', async () => {
    const client = httpClient()
    await client.loadTools(new AbortController().signal)
    await fixture.expireSessions()
    const { result } = await callThroughAgent(client, 'echo', { text: 'new session' })
    expect(result).toMatchObject({ status: 'success', content: [{ text: 'echo: new session' }] })
  })

  it('fails fast with an error result when the server is gone', async () => {
    const client = new McpClient({ transport: { url: 'http://127.0.0.1:9/mcp' }, reconnectDelayMs: 10 })
    clients.push(client)
    await expect(client.loadTools(new AbortController().signal)).rejects.toThrow(/could not list/)
  })

  it('close() ends the HTTP session on the server', async () => {
    const client = httpClient()
    await client.loadTools(new AbortController().signal)
    const open = fixture.handler.sessionCount
    await client.close()
    expect(fixture.handler.sessionCount).toBe(open - 1)
  })
})
