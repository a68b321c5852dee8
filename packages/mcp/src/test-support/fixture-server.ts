import { McpServer } from '@modelcontextprotocol/server'
import * as z from 'zod'

/** What the fixture server saw, for tests that check a call reached it (or was cancelled on it). */
export interface FixtureLog {
  cancelled: string[]
}

const tinyPng =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

/**
 * An MCP server built with the official SDK, with tools that echo, stream progress, return every content
 * kind, fail, hang, crash the process and change the tool list.
 */
export function createFixtureServer(log: FixtureLog, options: { onCrash?: () => void } = {}): McpServer {
  const server = new McpServer(
    { name: 'fixture', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  )
  server.registerTool(
    'echo',
    { description: 'Echoes the text', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }),
  )
  server.registerTool(
    'count',
    {
      description: 'Counts to n, reporting progress',
      inputSchema: z.object({ n: z.number().int().min(1).max(20) }),
    },
    async ({ n }, context) => {
      const progressToken = context.mcpReq._meta?.progressToken
      for (let step = 1; step <= n; step++) {
        if (progressToken !== undefined) {
          await context.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress: step, total: n, message: `step ${step}` },
          })
        }
      }
      return { content: [{ type: 'text', text: `counted to ${n}` }] }
    },
  )
  server.registerTool(
    'rich',
    {
      description: 'Returns every content kind',
      inputSchema: z.object({}),
      outputSchema: z.object({ temperature: z.number(), unit: z.string() }),
    },
    async () => ({
      content: [
        { type: 'text', text: 'Temperature: 21 C' },
        { type: 'image', data: tinyPng, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'file:///notes.txt', mimeType: 'text/plain', text: 'a note' } },
        { type: 'resource_link', uri: 'file:///report.pdf', name: 'report' },
      ],
      structuredContent: { temperature: 21, unit: 'C' },
    }),
  )
  server.registerTool(
    'huge',
    { description: 'Returns a very long text', inputSchema: z.object({ size: z.number().int() }) },
    async ({ size }) => ({ content: [{ type: 'text', text: 'x'.repeat(size) }] }),
  )
  server.registerTool('fail', { description: 'Always fails', inputSchema: z.object({}) }, async () => ({
    content: [{ type: 'text', text: 'the disk is full' }],
    isError: true,
  }))
  server.registerTool(
    'hang',
    { description: 'Never answers', inputSchema: z.object({}) },
    async (_input, context) => {
      await new Promise<void>((resolve) => {
        context.mcpReq.signal.addEventListener('abort', () => resolve(), { once: true })
      })
      log.cancelled.push('hang')
      process.stderr.write('fixture: hang was cancelled\n')
      return { content: [{ type: 'text', text: 'cancelled' }] }
    },
  )
  server.registerTool('crash', { description: 'Crashes the server', inputSchema: z.object({}) }, async () => {
    process.stderr.write('fixture: crashing now\n')
    if (options.onCrash !== undefined) options.onCrash()
    else process.exit(3)
    return await new Promise<never>(() => {})
  })
  server.registerTool(
    'dotted.name/with spaces',
    { description: 'A name providers reject', inputSchema: z.object({}) },
    async () => ({ content: [{ type: 'text', text: 'renamed' }] }),
  )
  server.registerTool(
    'add_tool',
    { description: 'Adds the tool "late"', inputSchema: z.object({}) },
    async () => {
      server.registerTool('late', { description: 'Added later', inputSchema: z.object({}) }, async () => ({
        content: [{ type: 'text', text: 'late tool ran' }],
      }))
      return { content: [{ type: 'text', text: 'added' }] }
    },
  )
  return server
}
