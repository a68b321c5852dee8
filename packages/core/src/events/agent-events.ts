import type { AgentResult } from '../agent/agent-result.js'
import type { Interrupt } from '../interrupt/interrupt.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { JsonValue } from '../types/json.js'
import type { Message, ToolResult, ToolUse } from '../types/messages.js'

/**
 * The events `agent.stream()` yields. Each has a `type` discriminant and the Strands key(s),
 * so `event.type === 'data'` and `'data' in event` both narrow it. All are plain JSON.
 */
export type AgentEvent =
  | AgentInitEventLoopEvent
  | AgentStartEventLoopEvent
  | AgentModelStreamEvent
  | AgentDataEvent
  | AgentToolUseStreamEvent
  | AgentReasoningEvent
  | AgentMessageEvent
  | AgentToolStreamEvent
  | AgentToolResultEvent
  | AgentThrottledEvent
  | AgentStructuredOutputEvent
  | AgentForceStopEvent
  | AgentInterruptEvent
  | AgentResultEvent

export type AgentEventType = AgentEvent['type']

export interface AgentInitEventLoopEvent {
  type: 'init_event_loop'
  init_event_loop: true
}

export interface AgentStartEventLoopEvent {
  type: 'start_event_loop'
  start_event_loop: true
  /** 1 for the first model call of the invocation. */
  cycle: number
}

export interface AgentModelStreamEvent {
  type: 'model_stream'
  /** The provider's chunk, as the model streamed it. */
  event: ModelStreamEvent
}

export interface AgentDataEvent {
  type: 'data'
  data: string
  delta: { text: string }
}

export interface AgentToolUseStreamEvent {
  type: 'tool_use_stream'
  /** `input` is the JSON text received so far. */
  current_tool_use: { toolUseId: string; name: string; input: string }
  delta: { toolUse: { input: string } }
}

export interface AgentReasoningEvent {
  type: 'reasoning'
  reasoning: true
  reasoningText?: string
  reasoning_signature?: string
  reasoningRedactedContent?: string
  delta: { reasoningContent: { text?: string; signature?: string; redactedContent?: string } }
}

export interface AgentMessageEvent {
  type: 'message'
  message: Message
}

export interface AgentToolStreamEvent {
  type: 'tool_stream'
  tool_stream_event: { tool_use: ToolUse; data: JsonValue }
}

export interface AgentToolResultEvent {
  type: 'tool_result'
  tool_result: ToolResult
}

export interface AgentThrottledEvent {
  type: 'throttled'
  /** Seconds until the retry. */
  event_loop_throttled_delay: number
}

export interface AgentStructuredOutputEvent {
  type: 'structured_output'
  structured_output: JsonValue
}

export interface AgentForceStopEvent {
  type: 'force_stop'
  force_stop: true
  force_stop_reason: string
}

/** A hook or a tool asked a person; the run ends with stop reason `interrupt` once the turn's tools are done. */
export interface AgentInterruptEvent {
  type: 'interrupt'
  interrupt: Interrupt
}

export interface AgentResultEvent {
  type: 'result'
  result: AgentResult
}
