import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Agent, tool } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { createAdaptorServer } from '@hono/node-server'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { afterEach, describe, expect, it } from 'vitest'
import { McpClient, type McpService, serveMcp } from './index.js'
import { callThroughAgent, textOf } from './test-support/agent-calls.ts'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function listen(service: McpService): Promise<string> {
  const server = createAdaptorServer({ fetch: (request: Request) => service.fetch(request) }) as Server
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    await service.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`
}

async function sdkClient(url: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  cleanups.push(() => client.close())
  return client
}

describe('serveMcp', () => {
  it('serves an agent as one tool that streams its answer as progress, to the SDK client', async () => {
    const agent = new Agent({
      name: 'helper',
      description: 'Answers questions',
      model: new ScriptedModel([{ content: [{ text: 'The answer is 42' }] }]),
      callbackHandler: null,
    })
    const client = await sdkClient(await listen(serveMcp(agent)))
    const { tools } = await client.listTools()
    expect(tools.map((entry) => entry.name)).toEqual(['helper'])
    expect(tools[0]!.inputSchema).toMatchObject({ required: ['prompt'] })
    const progress: unknown[] = []
    const result = await client.callTool(
      { name: 'helper', arguments: { prompt: 'question?' } },
      { onprogress: (update) => progress.push(update) },
    )
    expect(result.content).toEqual([{ type: 'text', text: 'The answer is 42' }])
    expect(progress.length).toBeGreaterThan(0)
  })

  it('serves tools, used by another agent through McpClient', async () => {
    const shout = tool({
      name: 'shout',
      description: 'Upper-cases text',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      callback: ({ text }) => String(text).toUpperCase(),
    })
    const url = await listen(serveMcp([shout]))
    const client = new McpClient({ transport: { url } })
    cleanups.push(() => client.close())
    const { result } = await callThroughAgent(client, 'shout', { text: 'hello' })
    expect(textOf(result)).toBe('HELLO')
    const sdk = await sdkClient(url)
    const invalid = await sdk.callTool({ name: 'shout', arguments: { text: 5 } })
    expect(invalid.isError).toBe(true)
  })

  it('serves an agent over stdio: the SDK client and McpClient both call it in a child process', async () => {
    const script = fileURLToPath(new URL('./test-support/serve-agent-stdio.ts', import.meta.url))
    const sdk = new Client({ name: 'test', version: '1.0.0' })
    await sdk.connect(new StdioClientTransport({ command: process.execPath, args: [script], stderr: 'pipe' }))
    cleanups.push(() => sdk.close())
    const { tools } = await sdk.listTools()
    expect(tools.map((entry) => [entry.name, entry.description])).toEqual([
      ['oracle', 'Answers one question'],
    ])
    const answer = await sdk.callTool({ name: 'oracle', arguments: { prompt: 'the question?' } })
    expect(answer.content).toEqual([{ type: 'text', text: 'Forty-two, over stdio' }])

    const client = new McpClient({
      transport: { command: process.execPath, args: [script], stderr: 'ignore' },
    })
    cleanups.push(() => client.close())
    const { result } = await callThroughAgent(client, 'oracle', { prompt: 'again?' })
    expect(textOf(result)).toBe('Forty-two, over stdio')
  })
})
