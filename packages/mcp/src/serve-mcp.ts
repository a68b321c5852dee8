import type { Agent, JsonObject, Tool, ToolResultContent } from '@agent/core'
import { isAsyncGenerator } from '@agent/core/provider'
import { type CallToolResult, fromJsonSchema, McpServer } from '@modelcontextprotocol/server'
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio'
import { createMcpHttpHandler, type McpHttpHandler, type McpHttpHandlerOptions } from './mcp-http-handler.js'
import { agentToolName } from './tool-names.js'

export interface ServeMcpOptions extends McpHttpHandlerOptions {
  /** The server's name in the MCP handshake. Default: the agent's name, or `agent-tools`. */
  name?: string
  version?: string
  /** An agent is served as one tool of this name. Default: the agent's name, sanitised. */
  toolName?: string
  /** That tool's description. Default: the agent's description. */
  description?: string
}

/** An agent or a set of tools, served over MCP. */
export interface McpService {
  /** A new SDK server with the tools registered (one per stdio connection or HTTP session). */
  createServer(): McpServer
  /** Serves over this process's stdin/stdout. */
  serveStdio(): Promise<McpServer>
  /** Serves Streamable HTTP: mount it anywhere that takes a fetch handler (`app.hono.all('/mcp', (c) => mcp.fetch(c.req.raw))`). */
  fetch(request: Request): Promise<Response>
  /** Ends the HTTP sessions. */
  close(): Promise<void>
}

/**
 * Exposes an agent (as one tool taking `{ prompt }`, streaming its text as progress notifications) or a
 * set of tools as an MCP server, over stdio and over Streamable HTTP.
 */
export function serveMcp(target: Agent | readonly Tool[], options: ServeMcpOptions = {}): McpService {
  const register = Array.isArray(target)
    ? (server: McpServer) => {
        for (const tool of target as readonly Tool[]) registerTool(server, tool)
      }
    : (server: McpServer) => registerAgent(server, target as Agent, options)
  const serverName = options.name ?? (Array.isArray(target) ? 'agent-tools' : (target as Agent).name)
  const createServer = () => {
    const server = new McpServer({ name: serverName, version: options.version ?? '0.1.0' })
    register(server)
    return server
  }
  let http: McpHttpHandler | undefined
  return {
    createServer,
    async serveStdio() {
      const server = createServer()
      await server.connect(new StdioServerTransport())
      return server
    },
    fetch(request) {
      http ??= createMcpHttpHandler(createServer, options)
      return http.fetch(request)
    },
    async close() {
      await http?.close()
    },
  }
}

type Notify = (progress: number, message: string) => Promise<void>

function progressNotifier(context: {
  mcpReq: { _meta?: { progressToken?: string | number }; notify: (notification: never) => Promise<void> }
}): Notify {
  const progressToken = context.mcpReq._meta?.progressToken
  return async (progress, message) => {
    if (progressToken === undefined) return
    await context.mcpReq
      .notify({ method: 'notifications/progress', params: { progressToken, progress, message } } as never)
      .catch(() => {})
  }
}

function registerAgent(server: McpServer, agent: Agent, options: ServeMcpOptions): void {
  const name = options.toolName ?? agentToolName(agent.name, undefined, new Set())
  // One agent runs one invocation at a time: calls wait their turn.
  let queue: Promise<unknown> = Promise.resolve()
  server.registerTool(
    name,
    {
      description: options.description ?? agent.description ?? `Asks the agent "${agent.name}".`,
      inputSchema: fromJsonSchema<{ prompt: string }>({
        type: 'object',
        properties: { prompt: { type: 'string', description: 'What to ask the agent' } },
        required: ['prompt'],
      }),
    },
    async ({ prompt }, context): Promise<CallToolResult> => {
      const notify = progressNotifier(context as never)
      const run = queue.then(async () => {
        let step = 0
        const stream = agent.stream(prompt, { signal: context.mcpReq.signal })
        while (true) {
          const next = await stream.next()
          if (next.done) return String(next.value)
          if (next.value.type === 'data') await notify(++step, next.value.data)
        }
      })
      queue = run.catch(() => {})
      try {
        return { content: [{ type: 'text', text: await run }] }
      } catch (error) {
        return {
          content: [{ type: 'text', text: `The agent failed: ${(error as Error).message}` }],
          isError: true,
        }
      }
    },
  )
}

function registerTool(server: McpServer, tool: Tool): void {
  server.registerTool(
    tool.name,
    {
      description: tool.description,
      inputSchema: fromJsonSchema<JsonObject>(tool.toolSpec.inputSchema as never),
    },
    async (input, context): Promise<CallToolResult> => {
      const validation = await tool.validate(input)
      if (!validation.ok) return errorResult(`Invalid input: ${validation.message}`)
      const notify = progressNotifier(context as never)
      try {
        let output = tool.invoke(validation.value, {
          signal: context.mcpReq.signal,
          toolUse: { toolUseId: String(context.mcpReq.id), name: tool.name, input },
          agent: undefined,
          // No agent run to pause: a tool that asks a person (e.g. needsApproval) fails with this error.
          interrupt: (name) => {
            throw new Error(
              `Tool "${tool.name}" asked for a person ("${name}"), which an MCP call cannot do.`,
            )
          },
        })
        if (isAsyncGenerator(output)) {
          let step = 0
          const generator = output
          while (true) {
            const next = await generator.next()
            if (next.done) {
              output = next.value
              break
            }
            await notify(++step, typeof next.value === 'string' ? next.value : JSON.stringify(next.value))
          }
        }
        return toCallToolResult(await output)
      } catch (error) {
        return errorResult(`Tool "${tool.name}" failed: ${(error as Error).message}`)
      }
    },
  )
}

function toCallToolResult(value: unknown): CallToolResult {
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] }
  if (isToolResultLike(value))
    return { content: value.content.map(toMcpContent), isError: value.status === 'error' }
  if (value === undefined || value === null) return { content: [{ type: 'text', text: '' }] }
  return { content: [{ type: 'text', text: JSON.stringify(value) }] }
}

function toMcpContent(block: ToolResultContent): CallToolResult['content'][number] {
  if ('text' in block) return { type: 'text', text: block.text }
  if ('image' in block && 'bytes' in block.image.source)
    return { type: 'image', data: block.image.source.bytes, mimeType: `image/${block.image.format}` }
  if ('json' in block) return { type: 'text', text: JSON.stringify(block.json) }
  return { type: 'text', text: '[content left out]' }
}

function isToolResultLike(
  value: unknown,
): value is { status: 'success' | 'error'; content: ToolResultContent[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { content?: unknown }).content) &&
    'status' in value
  )
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}
