import type { AgentContext, Tool } from '../agent/agent-context.js'
import type { AgentResult } from '../agent/agent-result.js'
import { askInterrupt } from '../interrupt/interrupt.js'
import type { Model, ModelRequest } from '../model/model.js'
import type { JsonValue } from '../types/json.js'
import type { Message, ToolResult, ToolUse } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Metrics, Usage } from '../types/usage.js'

/** Base of every hook event. Hook events are live objects for hooks only; they are never streamed. */
export abstract class HookEvent {
  readonly agent: AgentContext
  /** After-events run their callbacks in reverse registration order, so that hooks nest like middleware. */
  static readonly reverseCallbacks: boolean = false

  constructor(agent: AgentContext) {
    this.agent = agent
  }
}

/** An invocation is starting (before the prompt is added). */
export class BeforeInvocationEvent extends HookEvent {}

/** An invocation is over, however it ended: success, error, abort, cancel or an early `break`. */
export class AfterInvocationEvent extends HookEvent {
  static override readonly reverseCallbacks = true
  /** Set when the invocation finished with a result. */
  readonly result: AgentResult | undefined
  /** Set when the invocation ended with an error (including an abort). */
  readonly error: unknown

  constructor(agent: AgentContext, fields: { result?: AgentResult; error?: unknown }) {
    super(agent)
    this.result = fields.result
    this.error = fields.error
  }
}

/** A message was added to (or, for a merged prompt, extended in) `agent.messages`. */
export class MessageAddedEvent extends HookEvent {
  readonly message: Message

  constructor(agent: AgentContext, message: Message) {
    super(agent)
    this.message = message
  }
}

/** The model is about to be called. */
export class BeforeModelCallEvent extends HookEvent {
  readonly cycle: number
  /** 1 for the first call of the cycle, more when a call is retried. */
  readonly attempt: number
  /** The request as it will be sent; treat it as read-only. */
  readonly request: Readonly<ModelRequest>
  /** The model being called (its `provider` and `modelId` name it). */
  readonly model: Model

  constructor(
    agent: AgentContext,
    fields: { cycle: number; attempt: number; request: ModelRequest; model: Model },
  ) {
    super(agent)
    this.cycle = fields.cycle
    this.attempt = fields.attempt
    this.request = fields.request
    this.model = fields.model
  }
}

/** A model call finished or failed. Set `retry = true` to discard its output and call the model again. */
export class AfterModelCallEvent extends HookEvent {
  static override readonly reverseCallbacks = true
  readonly cycle: number
  readonly attempt: number
  /** The assistant message, when the call succeeded. */
  readonly message: Message | undefined
  readonly stopReason: StopReason | undefined
  /** The error, when the call failed. */
  readonly error: unknown
  readonly model: Model
  /** Tokens of this call, when it succeeded and the provider reported them. */
  readonly usage: Usage | undefined
  /** Latency and time to first byte of this call, when it succeeded. */
  readonly metrics: Metrics | undefined
  /** Set to true to call the model again instead of using this outcome. */
  retry = false

  constructor(
    agent: AgentContext,
    fields: {
      cycle: number
      attempt: number
      model: Model
      message?: Message
      stopReason?: StopReason
      error?: unknown
      usage?: Usage | undefined
      metrics?: Metrics | undefined
    },
  ) {
    super(agent)
    this.cycle = fields.cycle
    this.attempt = fields.attempt
    this.model = fields.model
    this.message = fields.message
    this.stopReason = fields.stopReason
    this.error = fields.error
    this.usage = fields.usage
    this.metrics = fields.metrics
  }
}

/**
 * A tool is about to run. Hooks may replace `toolUse.input`, swap `tool` (undefined: unknown tool), or set
 * `cancel` to a message (or `true`) so that the tool does not run and the model gets an error result instead,
 * or call `interrupt(name, reason)` to ask a person first.
 */
export class BeforeToolCallEvent extends HookEvent {
  /** A copy of the model's tool use; its `input` may be replaced. The `toolUseId` cannot change. */
  toolUse: ToolUse
  tool: Tool | undefined
  cancel: boolean | string = false
  private readonly interruptResponses: Readonly<Record<string, JsonValue>> | undefined

  constructor(
    agent: AgentContext,
    fields: {
      toolUse: ToolUse
      tool: Tool | undefined
      interruptResponses?: Readonly<Record<string, JsonValue>> | undefined
    },
  ) {
    super(agent)
    this.toolUse = fields.toolUse
    this.tool = fields.tool
    this.interruptResponses = fields.interruptResponses
  }

  /**
   * Asks a person before the tool runs: the first time, this throws and the run ends with stop reason
   * `interrupt`; when it is resumed, this hook runs again and the call returns the response.
   */
  interrupt<Response extends JsonValue = JsonValue>(name: string, reason?: JsonValue): Response {
    return askInterrupt(this.interruptResponses, this.toolUse.toolUseId, name, reason) as Response
  }
}

/** A tool call finished. Hooks may replace `result` (its `toolUseId` is kept). */
export class AfterToolCallEvent extends HookEvent {
  static override readonly reverseCallbacks = true
  readonly toolUse: ToolUse
  readonly tool: Tool | undefined
  result: ToolResult
  /** True when a BeforeToolCall hook cancelled the call. */
  readonly cancelled: boolean

  constructor(
    agent: AgentContext,
    fields: { toolUse: ToolUse; tool: Tool | undefined; result: ToolResult; cancelled: boolean },
  ) {
    super(agent)
    this.toolUse = fields.toolUse
    this.tool = fields.tool
    this.result = fields.result
    this.cancelled = fields.cancelled
  }
}
