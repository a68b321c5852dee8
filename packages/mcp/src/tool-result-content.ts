import type { ImageFormat, JsonValue, ToolResult, ToolResultContent } from '@agent/core'

/** What a tool call answers the agent: a result in the shape `runTool` takes as is. */
export interface McpToolOutcome {
  status: ToolResult['status']
  content: ToolResultContent[]
}

const imageFormats: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
}
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Maps an MCP `CallToolResult` (untrusted: it comes from the server) to tool-result content, keeping the
 * whole within `maxBytes`: text is cut with a note, oversized images and JSON are replaced by a note.
 */
export function toToolOutcome(result: unknown, maxBytes: number): McpToolOutcome {
  const record = isRecord(result) ? result : {}
  const budget = { left: maxBytes }
  const content: ToolResultContent[] = []
  const blocks = Array.isArray(record.content) ? record.content : []
  for (const block of blocks) {
    if (budget.left <= 0) {
      content.push({ text: '[further content left out: the result is larger than the limit]' })
      break
    }
    content.push(toContent(block, budget))
  }
  if (record.structuredContent !== undefined) content.push(boundedJson(record.structuredContent, budget))
  if (content.length === 0) content.push({ text: '' })
  return { status: record.isError === true ? 'error' : 'success', content }
}

function toContent(block: unknown, budget: { left: number }): ToolResultContent {
  if (!isRecord(block)) return { text: '[content block that is not an object left out]' }
  switch (block.type) {
    case 'text':
      return boundedText(typeof block.text === 'string' ? block.text : '', budget)
    case 'image':
      return toImage(block, budget)
    case 'audio':
      return { text: `[audio content (${String(block.mimeType).slice(0, 50)}) left out: not supported]` }
    case 'resource':
      return toEmbeddedResource(block.resource, budget)
    case 'resource_link':
      return boundedJson(
        { resource_link: { uri: block.uri, name: block.name, mimeType: block.mimeType } as JsonValue },
        budget,
      )
    default:
      return { text: `[content of unknown type "${String(block.type).slice(0, 50)}" left out]` }
  }
}

function toImage(block: Record<string, unknown>, budget: { left: number }): ToolResultContent {
  const format = typeof block.mimeType === 'string' ? imageFormats[block.mimeType.toLowerCase()] : undefined
  const data = typeof block.data === 'string' ? block.data : ''
  if (format === undefined)
    return { text: `[image of type ${String(block.mimeType).slice(0, 50)} left out: not supported]` }
  if (data.length > budget.left) return { text: '[image left out: larger than the result limit]' }
  if (!base64Pattern.test(data)) return { text: '[image left out: its data is not base64]' }
  budget.left -= data.length
  return { image: { format, source: { bytes: data } } }
}

function toEmbeddedResource(resource: unknown, budget: { left: number }): ToolResultContent {
  if (!isRecord(resource)) return { text: '[embedded resource that is not an object left out]' }
  const uri = typeof resource.uri === 'string' ? resource.uri.slice(0, 2000) : ''
  if (typeof resource.text === 'string') return boundedText(`Resource ${uri}:\n${resource.text}`, budget)
  return { text: `[binary resource ${uri} (${String(resource.mimeType).slice(0, 50)}) left out]` }
}

function boundedText(text: string, budget: { left: number }): ToolResultContent {
  if (text.length <= budget.left) {
    budget.left -= text.length
    return { text }
  }
  const kept = text.slice(0, Math.max(0, budget.left))
  budget.left = 0
  return { text: `${kept}\n[cut: the result is longer than the limit]` }
}

function boundedJson(value: unknown, budget: { left: number }): ToolResultContent {
  const text = JSON.stringify(value) ?? 'null'
  if (text.length > budget.left)
    return { text: '[structured content left out: larger than the result limit]' }
  budget.left -= text.length
  // Parsed back from text so that only plain JSON (no prototypes, no getters) reaches the conversation.
  return { json: JSON.parse(text) as JsonValue }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function errorOutcome(message: string): McpToolOutcome {
  return { status: 'error', content: [{ text: `Error: ${message}` }] }
}
