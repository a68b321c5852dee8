import type { ToolSpec } from '../model/model.js'
import type { AgentState } from '../state/agent-state.js'
import type { JsonValue } from '../types/json.js'
import type { Message, ToolUse } from '../types/messages.js'

/**
 * What tools, hooks and conversation managers see of the agent that runs them: enough to read the
 * conversation and state, look up tools and follow the invocation's signal, and nothing that can start
 * another invocation of a busy agent. Lives here, apart from the `Agent` class, so that no contract type
 * depends on the class.
 */
export interface AgentContext {
  readonly name: string
  readonly description: string | undefined
  /** The session manager's id when the conversation is persisted (tracing uses it as the conversation id). */
  readonly sessionId: string | undefined
  /** The conversation, live: the loop appends to this array. */
  readonly messages: Message[]
  readonly state: AgentState
  readonly tools: AgentTools
  /** The running invocation's signal; `undefined` between invocations (e.g. a direct `agent.tool.x()` call). */
  readonly signal: AbortSignal | undefined
}

/** The agent's tools, read-only (a `ToolRegistry`). */
export interface AgentTools {
  get(name: string): Tool | undefined
  readonly names: string[]
  readonly size: number
  specs(): ToolSpec[]
}

/** What a tool's callback receives besides its input. */
export interface ToolContext {
  /** Aborts when the run is cancelled, the consumer stops, or the tool's timeout passes. */
  signal: AbortSignal
  toolUse: ToolUse
  /** The agent running the tool; absent for a tool run outside any agent. */
  agent: AgentContext | undefined
  /**
   * Asks a person: the first time, the run ends with stop reason `interrupt` (this call throws, the tool gets
   * no result); when the run is resumed with a response, the tool runs again and this call returns it.
   */
  interrupt<Response extends JsonValue = JsonValue>(name: string, reason?: JsonValue): Response
}

/** What a callback may return: a value, a promise, or an async generator (each yield a `tool_stream` event). */
export type ToolCallbackResult<Output> =
  | Output
  | Promise<Output>
  | AsyncGenerator<JsonValue, Output, undefined>

/** A tool as the agent runs it. `tool()` makes one; any object of this shape works. */
export interface Tool {
  readonly name: string
  readonly description: string
  /** JSON Schema for the model. */
  readonly toolSpec: ToolSpec
  /** Per-call deadline in ms; the agent's default applies when absent. */
  readonly timeoutMs?: number
  /** Cap on the result's text and JSON in characters; past it the result is cut with a note. Default 100 000. */
  readonly maxResultChars?: number
  /** Validates and returns the parsed input, or throws a message the model can act on. */
  validate(input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; message: string }>
  invoke(input: unknown, context: ToolContext): ToolCallbackResult<unknown>
}

/**
 * A source of tools whose list is known only at run time (an MCP server, a remote registry). The agent
 * calls `loadTools` before each model call of an invocation, so a provider may change its tools between
 * calls (it should answer from a cache when nothing changed), and `close` when the agent is closed.
 */
export interface ToolProvider {
  /** Shown in errors, e.g. `mcp:filesystem`. */
  readonly name: string
  loadTools(signal: AbortSignal): Promise<readonly Tool[]>
  close?(): Promise<void>
}

/** True for a `ToolProvider`, false for a `Tool`. */
export function isToolProvider(value: Tool | ToolProvider): value is ToolProvider {
  return typeof (value as Partial<ToolProvider>).loadTools === 'function'
}
