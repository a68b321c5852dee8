import {
  type JsonObject,
  type JsonValue,
  type Tool,
  type ToolContext,
  type ToolProvider,
  tool,
} from '@agent/core'
import {
  type AuthProvider,
  Client,
  type FetchLike,
  type Tool as McpTool,
  type OAuthClientProvider,
  type Progress,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client'
import { boundedFetch } from './bounded-fetch.js'
import { ChildProcessTransport, type StdioServerOptions } from './child-process-transport.js'
import { delay, messageOf, untilAborted, withDeadline } from './deadline.js'
import { agentToolName, checkPrefix, isToolSelected, type ToolFilter } from './tool-names.js'
import { errorOutcome, type McpToolOutcome, toToolOutcome } from './tool-result-content.js'
import { unreferencedFetch } from './unreferenced-fetch.js'

export interface McpHttpServerOptions {
  /** The server's Streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string | URL
  /** Sent with every request (an API key, for instance). */
  headers?: Record<string, string>
  /** The SDK's auth hook: `{ token: async () => key }` or an `OAuthClientProvider`. */
  authProvider?: AuthProvider | OAuthClientProvider
  /** The `fetch` to use; by default undici's, on sockets that do not keep the process alive. */
  fetch?: FetchLike
}

export type McpTransportOptions = StdioServerOptions | McpHttpServerOptions

export interface McpClientOptions {
  /** `{ command, args, env, cwd }` starts a server over stdio; `{ url, headers }` connects over Streamable HTTP. */
  transport: McpTransportOptions
  /** Shown in errors as `mcp:<name>`; by default the command's or host's name. */
  name?: string
  /** Tool names become `<prefix>_<tool>`. */
  prefix?: string
  /** Only these server tools (names or patterns, matched against the server's own names). */
  allowedTools?: readonly ToolFilter[]
  /** Never these server tools. */
  rejectedTools?: readonly ToolFilter[]
  /** Deadline of each tool call in ms. Default 60 000. */
  timeoutMs?: number
  /** Deadline to start (spawn or connect) and initialise the server in ms. Default 30 000. */
  startupTimeoutMs?: number
  /** Bound on one result (text characters, base64 image data, structured JSON), and on one HTTP answer. Default 1 000 000. */
  maxResultBytes?: number
  /** Wait before the second connection attempt in ms. Default 250. */
  reconnectDelayMs?: number
}

interface Connection {
  readonly client: Client
  readonly transport: ChildProcessTransport | StreamableHTTPClientTransport
  closed: boolean
}

/** Bounds what a server may put into the agent's context through its tool list. */
const maxDescriptionLength = 4000
const maxSchemaLength = 64 * 1024
const maxTools = 500
/** Progress notifications waiting to be yielded; more are dropped (a server may flood them). */
const maxQueuedUpdates = 256
const healthCheckMs = 5000

/**
 * The tools of one MCP server, as a `ToolProvider`: put it in `tools: [...]`. It connects on first use,
 * lists the tools again after `tools/list_changed`, turns every fault (crash, exit, hang, HTTP error,
 * expired session) into an error result the model can read, and reconnects on the next call.
 */
export class McpClient implements ToolProvider {
  readonly name: string
  readonly #options: McpClientOptions
  readonly #timeoutMs: number
  readonly #startupTimeoutMs: number
  readonly #maxResultBytes: number
  #pending: Promise<Connection> | undefined
  #current: Connection | undefined
  #everConnected = false
  #stale = true
  #tools: readonly Tool[] | undefined
  /** Tools by agent name with the spec they were built from, reused while unchanged so the agent sees no change. */
  #built = new Map<string, { key: string; tool: Tool }>()
  #closed = false

  constructor(options: McpClientOptions) {
    checkPrefix(options.prefix)
    this.#options = options
    this.#timeoutMs = options.timeoutMs ?? 60_000
    this.#startupTimeoutMs = options.startupTimeoutMs ?? 30_000
    this.#maxResultBytes = options.maxResultBytes ?? 1_000_000
    this.name = `mcp:${options.name ?? defaultName(options.transport)}`
  }

  async loadTools(signal: AbortSignal): Promise<readonly Tool[]> {
    if (this.#closed) throw new Error(`${this.name} is closed.`)
    // Disconnected with a list in hand: keep it; the next call reconnects (and the list is read again then).
    if (this.#tools !== undefined && (!this.#stale || this.#current === undefined)) return this.#tools
    try {
      const connection = await untilAborted(this.#connection(), signal)
      this.#stale = false
      const { tools } = await connection.client.listTools(undefined, {
        signal,
        timeout: this.#startupTimeoutMs,
      })
      this.#tools = this.#toAgentTools(tools)
    } catch (error) {
      if (this.#tools !== undefined) {
        this.#stale = true
        return this.#tools
      }
      throw new Error(`${this.name}: could not list the server's tools: ${messageOf(error)}`, {
        cause: error,
      })
    }
    return this.#tools
  }

  /** Ends the child process or the HTTP session. Safe to call more than once. */
  async close(): Promise<void> {
    this.#closed = true
    const pending = this.#pending
    this.#pending = undefined
    this.#current = undefined
    const connection = await pending?.catch(() => undefined)
    if (connection !== undefined) await shutDown(connection)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #toAgentTools(listed: readonly McpTool[]): readonly Tool[] {
    const built = new Map<string, { key: string; tool: Tool }>()
    for (const mcpTool of listed.slice(0, maxTools)) {
      if (
        typeof mcpTool.name !== 'string' ||
        !isToolSelected(mcpTool.name, this.#options.allowedTools, this.#options.rejectedTools)
      )
        continue
      const inputSchema = safeInputSchema(mcpTool.inputSchema)
      if (inputSchema === undefined) continue
      const name = agentToolName(mcpTool.name, this.#options.prefix, new Set(built.keys()))
      const description = (mcpTool.description ?? mcpTool.title ?? mcpTool.name).slice(
        0,
        maxDescriptionLength,
      )
      const key = JSON.stringify([mcpTool.name, description, inputSchema])
      const previous = this.#built.get(name)
      built.set(
        name,
        previous?.key === key
          ? previous
          : { key, tool: this.#createTool(mcpTool.name, name, description, inputSchema) },
      )
    }
    this.#built = built
    return [...built.values()].map((entry) => entry.tool)
  }

  #createTool(serverName: string, name: string, description: string, inputSchema: JsonObject): Tool {
    return tool({
      name,
      description,
      inputSchema,
      timeoutMs: this.#timeoutMs,
      callback: (input, context) => this.#stream(serverName, input, context),
    })
  }

  /** Yields each progress notification (a `tool_stream` event) while the call runs, then returns its result. */
  async *#stream(
    serverName: string,
    input: JsonObject,
    context: ToolContext,
  ): AsyncGenerator<JsonValue, McpToolOutcome, undefined> {
    const updates: JsonValue[] = []
    let wake: (() => void) | undefined
    let outcome: McpToolOutcome | undefined
    const onprogress = (progress: Progress) => {
      if (updates.length < maxQueuedUpdates) updates.push(progressData(progress))
      wake?.()
    }
    void this.#call(serverName, input, context.signal, onprogress).then((value) => {
      outcome = value
      wake?.()
    })
    while (true) {
      const update = updates.shift()
      if (update !== undefined) yield update
      else if (outcome !== undefined) return outcome
      else {
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
      }
    }
  }

  /** One tool call to an outcome; never throws. */
  async #call(
    serverName: string,
    input: JsonObject,
    signal: AbortSignal,
    onprogress: (progress: Progress) => void,
  ): Promise<McpToolOutcome> {
    for (let attempt = 0; ; attempt++) {
      let connection: Connection
      try {
        connection = await untilAborted(this.#connection(), signal)
      } catch (error) {
        if (signal.aborted) return errorOutcome(`the call of "${serverName}" was cancelled.`)
        return errorOutcome(`${this.name} is not reachable: ${messageOf(error)}. The next call tries again.`)
      }
      try {
        const result = await connection.client.callTool(
          { name: serverName, arguments: input },
          { signal, timeout: this.#timeoutMs, onprogress },
        )
        return toToolOutcome(result, this.#maxResultBytes)
      } catch (error) {
        if (signal.aborted || isTimeout(error)) {
          // The server may be stuck as a whole rather than in this one call: find out without waiting.
          this.#checkHealth(connection)
          return errorOutcome(
            signal.aborted
              ? `the call of "${serverName}" was cancelled.`
              : `${this.name} did not answer "${serverName}" within ${this.#timeoutMs} ms.`,
          )
        }
        if (!isConnectionFault(error))
          return errorOutcome(`${this.name} answered "${serverName}" with an error: ${messageOf(error)}`)
        this.#discard(connection)
        // An unknown session: the server never saw the call, so start a new session and send it again, once.
        if (isSessionExpired(error) && attempt === 0) continue
        return errorOutcome(
          `the connection to ${this.name} failed: ${faultOf(connection, error)}. The next call reconnects.`,
        )
      }
    }
  }

  #connection(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new Error(`${this.name} is closed`))
    if (this.#pending !== undefined) return this.#pending
    const opening = this.#open().catch(async () => {
      await delay(this.#options.reconnectDelayMs ?? 250)
      return this.#open()
    })
    this.#pending = opening
    opening.catch(() => {
      if (this.#pending === opening) this.#pending = undefined
    })
    return opening
  }

  async #open(): Promise<Connection> {
    if (this.#closed) throw new Error(`${this.name} is closed`)
    const transport = this.#createTransport()
    const client = new Client(
      { name: 'agent-mcp', version: '0.1.0' },
      { listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => this.#markStale() } } },
    )
    const connection: Connection = { client, transport, closed: false }
    client.onclose = () => this.#forget(connection)
    // Faults reach the pending calls as rejections; the error events carry nothing more.
    client.onerror = () => {}
    try {
      await withDeadline(
        client.connect(transport, { timeout: this.#startupTimeoutMs }),
        this.#startupTimeoutMs,
        `the server did not start within ${this.#startupTimeoutMs} ms`,
      )
    } catch (error) {
      const reason = faultOf(connection, error)
      if (transport instanceof ChildProcessTransport) transport.kill()
      await shutDown(connection)
      throw new Error(reason, { cause: error })
    }
    if (this.#closed) {
      await shutDown(connection)
      throw new Error(`${this.name} is closed`)
    }
    if (this.#everConnected) this.#stale = true
    this.#everConnected = true
    this.#current = connection
    return connection
  }

  #createTransport(): ChildProcessTransport | StreamableHTTPClientTransport {
    const options = this.#options.transport
    if ('command' in options) return new ChildProcessTransport(options, this.name)
    return new StreamableHTTPClientTransport(new URL(options.url), {
      requestInit: options.headers === undefined ? undefined : { headers: options.headers },
      authProvider: options.authProvider,
      fetch: boundedFetch(options.fetch ?? unreferencedFetch, this.#maxResultBytes * 2 + 65_536),
      reconnectionOptions: {
        maxRetries: 2,
        initialReconnectionDelay: 500,
        maxReconnectionDelay: 5000,
        reconnectionDelayGrowFactor: 2,
      },
    })
  }

  #markStale(): void {
    this.#stale = true
  }

  #forget(connection: Connection): void {
    connection.closed = true
    if (this.#current === connection) {
      this.#current = undefined
      this.#pending = undefined
    }
  }

  #discard(connection: Connection): void {
    this.#forget(connection)
    void shutDown(connection)
  }

  #checkHealth(connection: Connection): void {
    if (connection.closed) return
    connection.client
      .ping({ timeout: Math.min(healthCheckMs, this.#timeoutMs) })
      .catch(() => this.#discard(connection))
  }
}

/** Closes quietly and within a bound: the server may be the thing that is broken. */
async function shutDown(connection: Connection): Promise<void> {
  connection.closed = true
  const { transport, client } = connection
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
    await withDeadline(transport.terminateSession(), 2000, 'timeout').catch(() => {})
  }
  await withDeadline(client.close(), 5000, 'timeout').catch(() => {})
}

function defaultName(transport: McpTransportOptions): string {
  if ('command' in transport) {
    const script = transport.args?.find((argument) => !argument.startsWith('-')) ?? transport.command
    return (
      script
        .split(/[\\/]/)
        .pop()!
        .replace(/\.[a-z]+$/i, '') || 'stdio'
    )
  }
  return new URL(transport.url).host
}

/** The server's input schema if it is a plain, bounded JSON Schema object; the tool is left out otherwise. */
function safeInputSchema(schema: unknown): JsonObject | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
  const text = JSON.stringify(schema)
  if (text.length > maxSchemaLength) return undefined
  const { $schema: _ignored, ...rest } = JSON.parse(text) as JsonObject
  return rest.type === 'object' ? rest : undefined
}

function progressData(progress: Progress): JsonValue {
  const data: { [key: string]: JsonValue } = { progress: Number(progress.progress) }
  if (typeof progress.total === 'number') data.total = progress.total
  if (typeof progress.message === 'string') data.message = progress.message.slice(0, 1000)
  return data
}

function isTimeout(error: unknown): boolean {
  return SdkError.isInstance(error) && error.code === SdkErrorCode.RequestTimeout
}

function isSessionExpired(error: unknown): boolean {
  return SdkHttpError.isInstance(error) && error.status === 404
}

/** Faults of the connection itself, as opposed to an answer the server gave about this one call. */
function isConnectionFault(error: unknown): boolean {
  if (ProtocolError.isInstance(error)) return false
  if (SdkHttpError.isInstance(error)) return true
  if (!SdkError.isInstance(error)) return true
  return (
    error.code === SdkErrorCode.ConnectionClosed ||
    error.code === SdkErrorCode.SendFailed ||
    error.code === SdkErrorCode.NotConnected ||
    String(error.code).startsWith('CLIENT_HTTP')
  )
}

function faultOf(connection: Connection, error: unknown): string {
  const exit =
    connection.transport instanceof ChildProcessTransport ? connection.transport.exitDescription : undefined
  if (SdkHttpError.isInstance(error)) return `HTTP ${error.status} ${messageOf(error).slice(0, 300)}`
  return exit ?? messageOf(error)
}
