import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { McpClient, type McpClientOptions } from './index.js'
import { callThroughAgent, textOf } from './test-support/agent-calls.ts'

const serverScript = fileURLToPath(new URL('./test-support/stdio-fixture-server.ts', import.meta.url))
const clients: McpClient[] = []

function stdioClient(options: Partial<McpClientOptions> = {}, stderr: string[] = []): McpClient {
  const client = new McpClient({
    transport: { command: process.execPath, args: [serverScript], stderr: (text) => stderr.push(text) },
    timeoutMs: 5000,
    ...options,
  })
  clients.push(client)
  return client
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

describe('McpClient over stdio', () => {
  it('lists the tools with a prefix, sanitised names and filters', async () => {
    const client = stdioClient({ prefix: 'fx', rejectedTools: ['crash', /^h/] })
    const tools = await client.loadTools(new AbortController().signal)
    const names = tools.map((entry) => entry.name)
    expect(names).toContain('fx_echo')
    expect(names).toContain('fx_dotted_name_with_spaces')
    expect(names).not.toContain('fx_crash')
    expect(names).not.toContain('fx_hang')
    expect(names).not.toContain('fx_huge')
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
    expect(tools.find((entry) => entry.name === 'fx_echo')!.toolSpec.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
    })
    const only = stdioClient({ allowedTools: ['echo', /^co/] })
    expect((await only.loadTools(new AbortController().signal)).map((entry) => entry.name)).toEqual([
      'echo',
      'count',
    ])
  })

  it('answers from its cache while the list is unchanged', async () => {
    const client = stdioClient()
    const first = await client.loadTools(new AbortController().signal)
    expect(await client.loadTools(new AbortController().signal)).toBe(first)
  })

  it('calls a tool for the agent, and validates the input first', async () => {
    const client = stdioClient()
    const { result, toolNames } = await callThroughAgent(client, 'echo', { text: 'hi' })
    expect(toolNames).toContain('echo')
    expect(result).toMatchObject({ status: 'success', content: [{ text: 'echo: hi' }] })
    const invalid = await callThroughAgent(client, 'echo', { text: 42 })
    expect(invalid.result!.status).toBe('error')
    expect(textOf(invalid.result)).toMatch(/Invalid input for tool "echo"/)
  })

  it('maps every content kind, structured content and isError', async () => {
    const client = stdioClient()
    const { result } = await callThroughAgent(client, 'rich')
    expect(result!.status).toBe('success')
    expect(result!.content).toEqual([
      { text: 'Temperature: 21 C' },
      { image: { format: 'png', source: { bytes: expect.any(String) } } },
      { text: 'Resource file:///notes.txt:\na note' },
      { json: { resource_link: { uri: 'file:///report.pdf', name: 'report' } } },
      { json: { temperature: 21, unit: 'C' } },
    ])
    const failed = await callThroughAgent(client, 'fail')
    expect(failed.result).toMatchObject({ status: 'error', content: [{ text: 'the disk is full' }] })
  })

  it('bounds a huge result', async () => {
    const client = stdioClient({ maxResultBytes: 1000 })
    const { result } = await callThroughAgent(client, 'huge', { size: 100_000 })
    expect(textOf(result).length).toBeLessThan(1100)
    expect(textOf(result)).toMatch(/cut: the result is longer than the limit/)
  })

  it('streams progress notifications as tool_stream events', async () => {
    const client = stdioClient()
    const { result, streamed } = await callThroughAgent(client, 'count', { n: 3 })
    expect(textOf(result)).toBe('counted to 3')
    expect(streamed).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
      { progress: 3, total: 3, message: 'step 3' },
    ])
  })

  it('ends a hanging call with an error result at its deadline and cancels it on the server', async () => {
    const stderr: string[] = []
    const client = stdioClient({ timeoutMs: 300 }, stderr)
    const { result } = await callThroughAgent(client, 'hang')
    expect(result!.status).toBe('error')
    expect(textOf(result)).toMatch(/timed out after 300 ms|did not answer/)
    await expect.poll(() => stderr.join('')).toMatch(/hang was cancelled/)
    // The server still answers: the connection was kept.
    expect(textOf((await callThroughAgent(client, 'echo', { text: 'after' })).result)).toBe('echo: after')
  })

  it('sends the cancellation when the agent is aborted mid-call', async () => {
    const stderr: string[] = []
    const client = stdioClient({}, stderr)
    const controller = new AbortController()
    const running = callThroughAgent(client, 'hang', {}, { signal: controller.signal })
    await client.loadTools(controller.signal)
    setTimeout(() => controller.abort(new Error('stop')), 200)
    const { result } = await running
    expect(result!.status).toBe('error')
    await expect.poll(() => stderr.join('')).toMatch(/hang was cancelled/)
  })

  it('turns a crash into an error result with the server output, then reconnects on the next call', async () => {
    const client = stdioClient()
    const crashed = await callThroughAgent(client, 'crash')
    expect(crashed.result!.status).toBe('error')
    expect(textOf(crashed.result)).toMatch(/exited \(code 3\).*crashing now.*The next call reconnects/s)
    const after = await callThroughAgent(client, 'echo', { text: 'back' })
    expect(after.result).toMatchObject({ status: 'success', content: [{ text: 'echo: back' }] })
  })

  it('uses a tool added after tools/list_changed', async () => {
    const client = stdioClient()
    await callThroughAgent(client, 'add_tool')
    await expect
      .poll(async () => (await client.loadTools(new AbortController().signal)).map((entry) => entry.name))
      .toContain('late')
    const { result } = await callThroughAgent(client, 'late')
    expect(textOf(result)).toBe('late tool ran')
  })

  it('fails to start within startupTimeoutMs with a readable error', async () => {
    const client = new McpClient({
      transport: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
      startupTimeoutMs: 300,
      reconnectDelayMs: 10,
    })
    clients.push(client)
    await expect(client.loadTools(new AbortController().signal)).rejects.toThrow(
      /did not start within 300 ms/,
    )
  })

  it('a missing command ends a call in an error result, never a throw', async () => {
    const client = new McpClient({ transport: { command: '/nonexistent/mcp-server' }, reconnectDelayMs: 10 })
    clients.push(client)
    await expect(client.loadTools(new AbortController().signal)).rejects.toThrow(/ENOENT/)
  })
})
