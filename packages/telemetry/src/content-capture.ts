import type { ContentBlock, Message, ModelRequest, ToolResult } from '@agent/core'

/** Attribute values are capped: a conversation can be megabytes, and backends drop oversized attributes. */
const maxAttributeLength = 64 * 1024

/** JSON text of a value for a span attribute, cut to the cap; never throws. */
export function contentAttribute(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value, binaryPlaceholder) ?? ''
  } catch {
    return '[not serialisable]'
  }
  return text.length > maxAttributeLength ? `${text.slice(0, maxAttributeLength)}…[truncated]` : text
}

/** Base64 payloads (images, documents, redacted reasoning) say how large they were instead of what. */
function binaryPlaceholder(key: string, value: unknown): unknown {
  if ((key === 'bytes' || key === 'redactedContent') && typeof value === 'string') {
    return `[${value.length} base64 characters]`
  }
  return value
}

/** The request's messages in the conventions' shape: role plus parts. */
export function inputMessages(request: Readonly<ModelRequest>): string {
  return contentAttribute(request.messages.map(messageParts))
}

export function outputMessages(message: Message, finishReason: string | undefined): string {
  return contentAttribute([{ ...messageParts(message), finish_reason: finishReason }])
}

export function systemInstructions(request: Readonly<ModelRequest>): string | undefined {
  const prompt = request.systemPrompt
  if (prompt === undefined) return undefined
  return contentAttribute(typeof prompt === 'string' ? [{ type: 'text', content: prompt }] : prompt.map(part))
}

export function toolResultContent(result: ToolResult): string {
  return contentAttribute(result.content)
}

function messageParts(message: Message) {
  return { role: message.role, parts: message.content.map(part) }
}

function part(block: ContentBlock): Record<string, unknown> {
  if ('text' in block) return { type: 'text', content: block.text }
  if ('toolUse' in block) {
    const { toolUseId, name, input } = block.toolUse
    return { type: 'tool_call', id: toolUseId, name, arguments: input }
  }
  if ('toolResult' in block) {
    return { type: 'tool_call_response', id: block.toolResult.toolUseId, response: block.toolResult.content }
  }
  if ('reasoningContent' in block)
    return { type: 'reasoning', content: block.reasoningContent.reasoningText?.text }
  return { type: Object.keys(block)[0] ?? 'unknown' }
}
