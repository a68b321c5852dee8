import {
  type ContentBlock,
  type DocumentContent,
  type ImageContent,
  ModelError,
  type ToolResult,
} from '@agent/core'

const imageMediaTypes: Record<ImageContent['format'], string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
}

/** Text formats are sent as text; PDF as a file; other binary office formats are refused with a clear error. */
const textDocumentFormats = new Set<DocumentContent['format']>(['txt', 'md', 'csv', 'html'])

/** A `data:` URL for base64 image bytes, or the image's own URL. */
export function imageUrl(image: ImageContent): string {
  if ('url' in image.source) return image.source.url
  return `data:${imageMediaTypes[image.format] ?? `image/${image.format}`};base64,${image.source.bytes}`
}

/** What a document becomes: its text (for text formats) or a PDF file part. */
export type DocumentInput = { text: string } | { filename: string; fileData: string }

export function documentInput(document: DocumentContent): DocumentInput {
  if ('text' in document.source) return { text: documentText(document.name, document.source.text) }
  if (textDocumentFormats.has(document.format)) {
    const text = decodeBase64Text(document.name, document.source.bytes)
    return { text: documentText(document.name, text) }
  }
  if (document.format === 'pdf') {
    const filename = document.name.toLowerCase().endsWith('.pdf') ? document.name : `${document.name}.pdf`
    return { filename, fileData: `data:application/pdf;base64,${document.source.bytes}` }
  }
  throw new ModelError(
    `Document "${document.name}" is a ${document.format} file; OpenAI models accept PDF and text documents only. Convert it to PDF or text first.`,
  )
}

function documentText(name: string, text: string): string {
  return `Document "${name}":\n${text}`
}

/** The text of a tool result, as a `tool` message carries it. Error results say so, so the model can react. */
export function toolResultText(result: ToolResult): string {
  const parts: string[] = []
  for (const item of result.content) {
    if ('text' in item) parts.push(item.text)
    else if ('json' in item) parts.push(JSON.stringify(item.json))
    else if ('document' in item) {
      const input = documentInput(item.document)
      parts.push('text' in input ? input.text : `[document ${item.document.name} attached below]`)
    } else parts.push('[image attached below]')
  }
  const text = parts.join('\n')
  // Core's error results already start with "Error:"; others get the marker, since `tool` messages have no status.
  return result.status === 'error' && !/^error\b/i.test(text) ? `Error: ${text}` : text
}

/** The images and PDF files inside tool results, which a `tool` message cannot carry. */
export function toolResultAttachments(result: ToolResult): (ImageContent | DocumentContent)[] {
  const attachments: (ImageContent | DocumentContent)[] = []
  for (const item of result.content) {
    if ('image' in item) attachments.push(item.image)
    else if (
      'document' in item &&
      !textDocumentFormats.has(item.document.format) &&
      !('text' in item.document.source)
    )
      attachments.push(item.document)
  }
  return attachments
}

/** The system prompt as one string: text blocks joined, cache points dropped. */
export function systemPromptText(systemPrompt: string | ContentBlock[] | undefined): string | undefined {
  if (systemPrompt === undefined) return undefined
  if (typeof systemPrompt === 'string') return systemPrompt === '' ? undefined : systemPrompt
  const text = systemPrompt.flatMap((block) => ('text' in block ? [block.text] : [])).join('\n')
  return text === '' ? undefined : text
}

/** Tool input as the JSON text OpenAI expects in `arguments`. */
export function toolArguments(input: unknown): string {
  return JSON.stringify(input ?? {})
}

/** Decodes base64 (or base64url) UTF-8 text with web-standard APIs, so the package runs without Node's Buffer. */
function decodeBase64Text(name: string, base64: string): string {
  let binary: string
  try {
    binary = atob(base64.replace(/-/g, '+').replace(/_/g, '/').replace(/[\s=]/g, ''))
  } catch (cause) {
    throw new ModelError(`Document "${name}" is not valid base64.`, { cause })
  }
  return new TextDecoder().decode(Uint8Array.from(binary, (character) => character.charCodeAt(0)))
}
