// An agent using a local MCP server, first over stdio (a child process), then the same server over
// Streamable HTTP mounted in an @agent/server app. A scripted model stands in for a real one, so this
// runs with no key: swap in `model: 'openai:gpt-5-mini'` (and @agent/openai) for the real thing.
import { fileURLToPath } from 'node:url'
import { Agent } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { McpClient, serveMcp } from '@agent/mcp'
import { ServerApp } from '@agent/server'
import { serve } from '@agent/server/node'
import { notesTools } from './notes-tools.ts'

function script(prefix: string) {
  return new ScriptedModel([
    {
      content: [
        { toolUse: { toolUseId: 'a', name: `${prefix}_add_note`, input: { text: 'Ship the MCP example' } } },
      ],
      stopReason: 'tool_use',
    },
    {
      content: [{ toolUse: { toolUseId: 'l', name: `${prefix}_list_notes`, input: {} } }],
      stopReason: 'tool_use',
    },
    (request) => {
      const last = request.messages.at(-1)!.content[0]!
      const text =
        'toolResult' in last && 'text' in last.toolResult.content[0]! ? last.toolResult.content[0].text : ''
      return { content: [{ text: `Your notes:\n${text}` }] }
    },
  ])
}

// 1. Over stdio: the client starts the server as a child process and ends it on close.
const stdioServer = fileURLToPath(new URL('./stdio-server.ts', import.meta.url))
{
  await using agent = new Agent({
    model: script('local'),
    tools: [
      new McpClient({ transport: { command: process.execPath, args: [stdioServer] }, prefix: 'local' }),
    ],
    callbackHandler: null,
  })
  console.log(`stdio: ${await agent.invoke('Add a note, then list my notes')}`)
}

// 2. Over Streamable HTTP: the same tools mounted at /mcp in an @agent/server app.
const mcp = serveMcp(notesTools, { name: 'notes' })
const app = new ServerApp()
app.hono.all('/mcp', (context) => mcp.fetch(context.req.raw))
const running = await serve(app, { port: 0, signals: [] })
{
  await using agent = new Agent({
    model: script('remote'),
    tools: [new McpClient({ transport: { url: `${running.url}/mcp` }, prefix: 'remote' })],
    callbackHandler: null,
  })
  console.log(`http: ${await agent.invoke('Add a note, then list my notes')}`)
}
await mcp.close()
await running.close()
