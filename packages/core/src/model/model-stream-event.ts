import type { JsonValue } from '../types/json.js'
import type { Role } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Metrics, Usage } from '../types/usage.js'

/** The events a `Model` streams, in Converse shape. Each has exactly one key. */
export type ModelStreamEvent =
  | ModelMessageStartEvent
  | ModelContentBlockStartEvent
  | ModelContentBlockDeltaEvent
  | ModelContentBlockStopEvent
  | ModelMessageStopEvent
  | ModelMetadataEvent
  | ModelRedactContentEvent

export interface ModelMessageStartEvent {
  messageStart: { role: Role }
}

export interface ModelContentBlockStartEvent {
  contentBlockStart: {
    /** The block's position in the message. Blocks may interleave: every event names its block. */
    contentBlockIndex: number
    /** Present for tool use; text and reasoning blocks may start with their first delta. */
    start?: { toolUse?: { toolUseId: string; name: string } }
  }
}

export type ContentBlockDelta =
  | { text: string }
  /** A piece of the tool input's JSON text. */
  | { toolUse: { input: string } }
  | { reasoningContent: { text?: string; signature?: string; redactedContent?: string } }
  | { citation: JsonValue }

export interface ModelContentBlockDeltaEvent {
  contentBlockDelta: { contentBlockIndex: number; delta: ContentBlockDelta }
}

export interface ModelContentBlockStopEvent {
  contentBlockStop: { contentBlockIndex: number }
}

export interface ModelMessageStopEvent {
  messageStop: { stopReason: StopReason; additionalModelResponseFields?: JsonValue }
}

export interface ModelMetadataEvent {
  metadata: { usage?: Usage; metrics?: Metrics; trace?: JsonValue }
}

/**
 * A guardrail asks for content to be replaced (Bedrock, after `metadata`): the assistant's answer by
 * `redactAssistantContentMessage`. Input redaction is applied by the provider to the request's messages.
 */
export interface ModelRedactContentEvent {
  redactContent: { redactUserContentMessage?: string; redactAssistantContentMessage?: string }
}
