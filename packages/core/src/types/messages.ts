import type { JsonValue } from './json.js'

/**
 * The conversation data model, in Amazon Bedrock Converse shape (as Strands uses it).
 * Every content block has exactly one key. Binary data is base64 text so that a message is plain JSON.
 */
export type Role = 'user' | 'assistant'

export interface TextBlock {
  text: string
}

export interface ToolUse {
  toolUseId: string
  name: string
  input: JsonValue
}

export interface ToolUseBlock {
  toolUse: ToolUse
}

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp'

export interface ImageContent {
  format: ImageFormat
  /** `bytes` is base64; `url` is passed to providers that fetch images themselves. */
  source: { bytes: string } | { url: string }
}

export interface ImageBlock {
  image: ImageContent
}

export type DocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md'

export interface DocumentContent {
  format: DocumentFormat
  name: string
  /** `bytes` is base64. */
  source: { bytes: string } | { text: string }
}

export interface DocumentBlock {
  document: DocumentContent
}

export type ToolResultContent =
  | { text: string }
  | { json: JsonValue }
  | { image: ImageContent }
  | { document: DocumentContent }

export type ToolResultStatus = 'success' | 'error'

export interface ToolResult {
  toolUseId: string
  status: ToolResultStatus
  content: ToolResultContent[]
}

export interface ToolResultBlock {
  toolResult: ToolResult
}

export interface ReasoningContent {
  reasoningText?: { text: string; signature?: string }
  /** Provider-encrypted reasoning, base64. */
  redactedContent?: string
}

export interface ReasoningBlock {
  reasoningContent: ReasoningContent
}

export interface CachePointBlock {
  cachePoint: { type: 'default' }
}

export interface CitationsBlock {
  /** Provider citations, kept as the provider sent them (Bedrock `citationsContent`). */
  citationsContent: JsonValue
}

export type ContentBlock =
  | TextBlock
  | ToolUseBlock
  | ToolResultBlock
  | ReasoningBlock
  | ImageBlock
  | DocumentBlock
  | CachePointBlock
  | CitationsBlock

export interface Message {
  role: Role
  content: ContentBlock[]
}

/** The answer to an interrupt: `agent.stream([{ interruptResponse: { interruptId, response } }])` resumes the run. */
export interface InterruptResponseContent {
  interruptResponse: { interruptId: string; response: JsonValue }
}

/**
 * What a prompt may be: text, content blocks for one user message, whole messages to append, or the
 * responses to the pending interrupts (which resume the interrupted run).
 */
export type Prompt = string | ContentBlock[] | Message[] | InterruptResponseContent[]
