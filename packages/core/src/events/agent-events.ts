import type { AgentResult } from '../agent/agent-result.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { JsonValue } from '../types/json.js'
import type { Message, ToolResult, ToolUse } from '../types/messages.js'

/**
 * The events `agent.stream()` yields. Each has a `type` discriminant and the Strands key(s),
 * so `event.type === 'data'` and `'data' in event` both narrow it. All are plain JSON.
 */
export type AgentEvent =
  | InitEventLoopEvent
  | StartEventLoopEvent
  | ModelStreamAgentEvent
  | DataEvent
  | ToolUseStreamEvent
  | ReasoningEvent
  | MessageEvent
  | ToolStreamEvent
  | ToolResultEvent
  | ThrottledEvent
  | StructuredOutputEvent
  | ForceStopEvent
  | ResultEvent

export type AgentEventType = AgentEvent['type']

export interface InitEventLoopEvent {
  type: 'init_event_loop'
  init_event_loop: true
}

export interface StartEventLoopEvent {
  type: 'start_event_loop'
  start_event_loop: true
  /** 1 for the first model call of the invocation. */
  cycle: number
}

export interface ModelStreamAgentEvent {
  type: 'model_stream'
  /** The provider's chunk, as the model streamed it. */
  event: ModelStreamEvent
}

export interface DataEvent {
  type: 'data'
  data: string
  delta: { text: string }
}

export interface ToolUseStreamEvent {
  type: 'tool_use_stream'
  /** `input` is the JSON text received so far. */
  current_tool_use: { toolUseId: string; name: string; input: string }
  delta: { toolUse: { input: string } }
}

export interface ReasoningEvent {
  type: 'reasoning'
  reasoning: true
  reasoningText?: string
  reasoning_signature?: string
  reasoningRedactedContent?: string
  delta: { reasoningContent: { text?: string; signature?: string; redactedContent?: string } }
}

export interface MessageEvent {
  type: 'message'
  message: Message
}

export interface ToolStreamEvent {
  type: 'tool_stream'
  tool_stream_event: { tool_use: ToolUse; data: JsonValue }
}

export interface ToolResultEvent {
  type: 'tool_result'
  tool_result: ToolResult
}

export interface ThrottledEvent {
  type: 'throttled'
  /** Seconds until the retry. */
  event_loop_throttled_delay: number
}

export interface StructuredOutputEvent {
  type: 'structured_output'
  structured_output: JsonValue
}

export interface ForceStopEvent {
  type: 'force_stop'
  force_stop: true
  force_stop_reason: string
}

export interface ResultEvent {
  type: 'result'
  result: AgentResult
}
