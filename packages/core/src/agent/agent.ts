import type { ConversationManager } from '../conversation/conversation-manager.js'
import { SlidingWindowConversationManager } from '../conversation/sliding-window-conversation-manager.js'
import { AgentError } from '../errors/agent-error.js'
import { AbortError, ConcurrencyError } from '../errors/invocation-errors.js'
import type { AgentEvent } from '../events/agent-events.js'
import { globalHookProviders } from '../hooks/global-hooks.js'
import { AfterInvocationEvent, BeforeInvocationEvent, MessageAddedEvent } from '../hooks/hook-events.js'
import { type HookProvider, HookRegistry } from '../hooks/hook-registry.js'
import type { Interrupt, InterruptResponseContent, InterruptState } from '../interrupt/interrupt.js'
import { AgentEventStream } from '../loop/agent-event-stream.js'
import { runEventLoop, type TokenLimits } from '../loop/event-loop.js'
import type { Model, ToolChoice } from '../model/model.js'
import { resolveModel } from '../models/resolve-model.js'
import { positiveOption } from '../provider/positive-option.js'
import { BackoffRetryStrategy, type RetryStrategy } from '../retry/retry-strategy.js'
import { repairRestoredConversation } from '../session/repair-session.js'
import type { SessionManager } from '../session/session-manager.js'
import { AgentState } from '../state/agent-state.js'
import type { StandardSchema } from '../tools/input-schema.js'
import { runTool } from '../tools/run-tool.js'
import { ToolRegistry } from '../tools/tool-registry.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { ContentBlock, Message, Prompt, ToolResult } from '../types/messages.js'
import { type AgentAsToolOptions, agentAsTool } from './agent-as-tool.js'
import type { AgentContext, Tool, ToolProvider } from './agent-context.js'
import type { AgentResult, StructuredAgentResult } from './agent-result.js'
import { createPrintingCallbackHandler } from './printing-callback-handler.js'

export type CallbackHandler = (event: AgentEvent) => void

export interface AgentOptions {
  /** A `Model`, or `'openai:gpt-4.1-mini'` / `'bedrock:<modelId>'`; omitted: from the environment, else offline. */
  model?: Model | string
  /** Tools, and tool providers (e.g. an MCP client) whose tools are listed at each model call. */
  tools?: readonly (Tool | ToolProvider)[]
  systemPrompt?: string | ContentBlock[]
  /** A conversation to continue. */
  messages?: Message[]
  /** JSON key/values kept on the agent and returned in each result. */
  state?: JsonObject
  /** Receives every event. Default: prints streamed text. `null`: silent. */
  callbackHandler?: CallbackHandler | null
  /** Model calls per invocation before it stops with `max_cycles`. Default 50. */
  maxCycles?: number
  /** Token budgets per invocation; reaching one stops with `max_total_tokens` / `max_output_tokens`. */
  maxTokens?: TokenLimits
  /** Retries of throttled model calls. Default: 6 attempts, backoff from 1 s to 60 s, full jitter. `null`: none. */
  retryStrategy?: RetryStrategy | null
  /** Keeps the conversation within the model's context. Default: a sliding window of 40 messages. */
  conversationManager?: ConversationManager
  /** Hook providers registered at construction (more with `agent.hooks.add`). */
  hooks?: readonly HookProvider[]
  /** Restores the conversation and state before the first invocation and saves them after every message. */
  sessionManager?: SessionManager
  /** Tool calls of one turn run at once, at most. Default 8. */
  toolConcurrency?: number
  /** Deadline for one tool call unless the tool sets its own. Default 5 minutes. */
  toolTimeoutMs?: number
  name?: string
  /** What the agent is for; shown to a model that calls it as a tool. */
  description?: string
}

export interface StreamOptions {
  /** Aborts the run: the model request is cancelled, tools are signalled, an `AbortError` is thrown. */
  signal?: AbortSignal
  maxCycles?: number
  /** Replaces the agent's `maxTokens` for this call. */
  maxTokens?: TokenLimits
  toolChoice?: ToolChoice
  /** A zod schema: the run ends with `result.structuredOutput` validated against it. */
  structuredOutput?: StandardSchema
}

/** Options of a call that asks for structured output typed by `Output`. */
export interface StructuredStreamOptions<Output> extends StreamOptions {
  structuredOutput: StandardSchema<Output>
}

type DirectToolCalls = Record<string, (input?: JsonValue) => Promise<ToolResult>>

/** A model, tools and the event loop that lets the model use them. */
export class Agent {
  readonly name: string
  readonly description: string | undefined
  /** What tools, hooks and conversation managers see of this agent. */
  readonly context: AgentContext
  /** The conversation. Valid after every invocation, however it ended. */
  messages: Message[]
  /** JSON key/values (`get`, `set`, `delete`), saved by a session manager and snapshotted in each result. */
  readonly state: AgentState
  /** `agent.hooks.add(BeforeToolCallEvent, (event) => …)`. */
  readonly hooks: HookRegistry
  conversationManager: ConversationManager
  readonly sessionManager: SessionManager | undefined
  systemPrompt: string | ContentBlock[] | undefined
  readonly tools: ToolRegistry
  /** `agent.tool.calculator({ expression: '2+2' })` runs one tool directly and resolves to its result. */
  readonly tool: DirectToolCalls

  private readonly modelOption: Model | string | undefined
  private resolvedModel: Promise<Model> | undefined
  private readonly callbackHandler: CallbackHandler | undefined
  private readonly maxCycles: number
  private readonly maxTokens: TokenLimits | undefined
  private readonly retryStrategy: RetryStrategy | undefined
  private sessionRestored = false
  private readonly toolConcurrency: number
  private readonly toolTimeoutMs: number
  private running: { controller: AbortController; cancelled: boolean } | undefined
  private closed = false
  private interruptState: InterruptState | undefined

  constructor(options: AgentOptions = {}) {
    this.name = options.name ?? 'agent'
    this.description = options.description
    this.modelOption = options.model
    this.messages = options.messages ?? []
    this.state = new AgentState(options.state)
    this.hooks = new HookRegistry()
    this.conversationManager = options.conversationManager ?? new SlidingWindowConversationManager()
    this.retryStrategy =
      options.retryStrategy === null ? undefined : (options.retryStrategy ?? new BackoffRetryStrategy())
    this.maxTokens = tokenLimits(options.maxTokens)
    this.sessionManager = options.sessionManager
    if (this.sessionManager !== undefined) this.registerSessionHooks(this.sessionManager)
    for (const provider of globalHookProviders()) this.hooks.addProvider(provider)
    for (const provider of options.hooks ?? []) this.hooks.addProvider(provider)
    this.systemPrompt = options.systemPrompt
    this.tools = new ToolRegistry(options.tools)
    this.callbackHandler =
      options.callbackHandler === null
        ? undefined
        : (options.callbackHandler ?? createPrintingCallbackHandler())
    this.maxCycles = positiveOption(options.maxCycles, 50, 'maxCycles')
    this.toolConcurrency = positiveOption(options.toolConcurrency, 8, 'toolConcurrency')
    this.toolTimeoutMs = positiveOption(options.toolTimeoutMs, 300_000, 'toolTimeoutMs')
    this.tool = this.createDirectToolCalls()
    this.context = createAgentContext(this, () => this.running?.controller.signal)
  }

  /** The model, resolved on first use. */
  get model(): Promise<Model> {
    this.resolvedModel ??= resolveModel(this.modelOption)
    // A failed resolution (e.g. a provider package not installed) is retried on the next call.
    this.resolvedModel.catch(() => {
      this.resolvedModel = undefined
    })
    return this.resolvedModel
  }

  /** Streams the events of one invocation; its return value is the `AgentResult`. */
  stream<Output>(
    prompt: Prompt | undefined,
    options: StructuredStreamOptions<Output>,
  ): AsyncGenerator<AgentEvent, StructuredAgentResult<Output>>
  stream(prompt?: Prompt, options?: StreamOptions): AsyncGenerator<AgentEvent, AgentResult>
  stream(prompt?: Prompt, options: StreamOptions = {}): AsyncGenerator<AgentEvent, AgentResult> {
    const controller = new AbortController()
    const running = { controller, cancelled: false }
    const signal = options.signal
    const onAbort = () =>
      controller.abort(new AbortError('The run was aborted by its signal.', { cause: signal?.reason }))

    const loop = runEventLoop({
      agent: this.context,
      // Taken when iteration starts, so that a stream that is never iterated holds nothing.
      begin: () => {
        if (this.closed) {
          throw new AgentError(`Agent "${this.name}" is closed; make a new agent to run again.`)
        }
        if (this.running !== undefined) {
          throw new ConcurrencyError(
            `Agent "${this.name}" is already running an invocation; wait for it to finish, or use one agent per conversation.`,
          )
        }
        this.running = running
        if (signal?.aborted) onAbort()
        else signal?.addEventListener('abort', onAbort, { once: true })
      },
      onEnd: () => {
        signal?.removeEventListener('abort', onAbort)
        if (this.running === running) this.running = undefined
      },
      interruptState: {
        get: () => this.interruptState,
        set: (state) => {
          this.interruptState = state
        },
      },
      resolveModel: () => this.model,
      messages: this.messages,
      prompt: toPromptContent(prompt),
      systemPrompt: this.systemPrompt,
      registry: this.tools,
      toolChoice: options.toolChoice,
      state: () => this.state.toJSON(),
      hooks: this.hooks,
      retryStrategy: this.retryStrategy,
      conversationManager: this.conversationManager,
      maxTokens: options.maxTokens === undefined ? this.maxTokens : tokenLimits(options.maxTokens),
      structuredOutput: options.structuredOutput,
      controller,
      wasCancelled: () => running.cancelled,
      callbackHandler: this.callbackHandler,
      maxCycles: positiveOption(options.maxCycles, this.maxCycles, 'maxCycles'),
      toolConcurrency: this.toolConcurrency,
      toolTimeoutMs: this.toolTimeoutMs,
    })
    return new AgentEventStream(
      loop,
      this.callbackHandler,
      () => {
        // Only a run that started holds anything to stop.
        if (this.running === running)
          controller.abort(new AbortError('The consumer stopped reading the stream.'))
      },
      controller.signal,
    )
  }

  /** The Strands name of `stream`. */
  streamAsync<Output>(
    prompt: Prompt | undefined,
    options: StructuredStreamOptions<Output>,
  ): AsyncGenerator<AgentEvent, StructuredAgentResult<Output>>
  streamAsync(prompt?: Prompt, options?: StreamOptions): AsyncGenerator<AgentEvent, AgentResult>
  streamAsync(prompt?: Prompt, options?: StreamOptions): AsyncGenerator<AgentEvent, AgentResult> {
    return this.stream(prompt, options)
  }

  /** Runs one invocation to its end. `String(result)` is the final text. */
  invoke<Output>(
    prompt: Prompt | undefined,
    options: StructuredStreamOptions<Output>,
  ): Promise<StructuredAgentResult<Output>>
  invoke(prompt?: Prompt, options?: StreamOptions): Promise<AgentResult>
  async invoke(prompt?: Prompt, options?: StreamOptions): Promise<AgentResult> {
    const stream = this.stream(prompt, options)
    let step = await stream.next()
    while (!step.done) step = await stream.next()
    return step.value
  }

  /** The Strands name of `invoke`. */
  invokeAsync<Output>(
    prompt: Prompt | undefined,
    options: StructuredStreamOptions<Output>,
  ): Promise<StructuredAgentResult<Output>>
  invokeAsync(prompt?: Prompt, options?: StreamOptions): Promise<AgentResult>
  invokeAsync(prompt?: Prompt, options?: StreamOptions): Promise<AgentResult> {
    return this.invoke(prompt, options)
  }

  /**
   * Loads the session manager's saved conversation and state into the agent, replacing its own (and repairing a
   * conversation that stopped between a tool use and its result). It runs by itself before the first invocation;
   * call it to read `agent.messages` earlier, or to reload after a `SessionConflictError`. A `SessionError`
   * leaves the agent and the saved session unchanged.
   */
  async restoreSession(): Promise<void> {
    if (this.running !== undefined) {
      throw new ConcurrencyError(
        `Agent "${this.name}" is running an invocation; restore its session before or after it, not during it.`,
      )
    }
    await this.loadSession()
  }

  private async loadSession(): Promise<void> {
    const manager = this.sessionManager
    if (manager === undefined) return
    const data = await manager.load()
    if (data !== undefined) {
      const messages = structuredClone(data.messages)
      const interruptState =
        data.interruptState === undefined ? undefined : structuredClone(data.interruptState)
      // The interrupted turn's tool uses wait for their results; every other open one is repaired.
      const waiting = interruptState !== undefined && messages.at(-1)?.role === 'assistant'
      repairRestoredConversation(messages, waiting ? messages.length - 1 : messages.length)
      this.interruptState = waiting ? interruptState : undefined
      this.state.replace(data.state)
      // In place: a stream created before the restore holds this array.
      this.messages.splice(0, this.messages.length, ...messages)
    }
    this.sessionRestored = true
  }

  private registerSessionHooks(manager: SessionManager): void {
    const save = () =>
      manager.save({
        messages: this.messages,
        state: this.state.toJSON(),
        ...(this.interruptState !== undefined && { interruptState: this.interruptState }),
      })
    this.hooks.add(BeforeInvocationEvent, async () => {
      if (!this.sessionRestored) await this.loadSession()
    })
    this.hooks.add(MessageAddedEvent, async () => {
      if (this.sessionRestored) await save()
    })
    this.hooks.add(AfterInvocationEvent, async () => {
      if (this.sessionRestored) await save()
    })
  }

  /** Stops the running invocation; it ends with stop reason `cancelled` and a valid conversation. */
  cancel(): void {
    const running = this.running
    if (running === undefined) return
    running.cancelled = true
    running.controller.abort(new AbortError('The run was cancelled with agent.cancel().'))
  }

  /**
   * Closes the agent's tool providers (MCP connections, child processes). A running invocation is
   * cancelled first. Also `await using agent = new Agent(…)`.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.cancel()
    await this.tools.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** This agent as a tool another agent can call (see `agentAsTool`). */
  asTool(options?: AgentAsToolOptions): Tool {
    return agentAsTool(this, options)
  }

  /** The interrupts waiting for a response (answer them with `interruptResponse` blocks); empty when none. */
  get interrupts(): readonly Interrupt[] {
    return this.interruptState?.interrupts ?? []
  }

  /** True while an invocation runs. */
  get isRunning(): boolean {
    return this.running !== undefined
  }

  private createDirectToolCalls(): DirectToolCalls {
    return new Proxy({} as DirectToolCalls, {
      get: (_, name) => {
        if (typeof name !== 'string') return undefined
        return async (input: JsonValue = {}) => {
          const signal = new AbortController().signal
          if (this.tools.hasProviders) await this.tools.load(signal)
          return runTool(
            { toolUseId: `direct-${name}-${Date.now().toString(36)}`, name, input },
            {
              registry: this.tools,
              agent: this.context,
              signal,
              defaultTimeoutMs: this.toolTimeoutMs,
            },
          )
        }
      },
      has: (_, name) => typeof name === 'string' && this.tools.get(name) !== undefined,
      ownKeys: () => this.tools.names,
      getOwnPropertyDescriptor: (_, name) =>
        typeof name === 'string' && this.tools.get(name) !== undefined
          ? { enumerable: true, configurable: true }
          : undefined,
    })
  }
}

function createAgentContext(agent: Agent, signal: () => AbortSignal | undefined): AgentContext {
  return {
    get name() {
      return agent.name
    },
    get description() {
      return agent.description
    },
    get sessionId() {
      return agent.sessionManager?.sessionId
    },
    get messages() {
      return agent.messages
    },
    get state() {
      return agent.state
    },
    get tools() {
      return agent.tools
    },
    get signal() {
      return signal()
    },
  }
}

function toPromptContent(
  prompt: Prompt | undefined,
): ContentBlock[] | Message[] | InterruptResponseContent[] | undefined {
  if (prompt === undefined) return undefined
  if (typeof prompt === 'string') return [{ text: prompt }]
  return prompt
}

function tokenLimits(limits: TokenLimits | undefined): TokenLimits | undefined {
  if (limits === undefined) return undefined
  return {
    ...(limits.total !== undefined && { total: positiveOption(limits.total, 0, 'maxTokens.total') }),
    ...(limits.output !== undefined && { output: positiveOption(limits.output, 0, 'maxTokens.output') }),
  }
}
