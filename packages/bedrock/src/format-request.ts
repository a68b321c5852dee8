import {
  type ContentBlock,
  type DocumentContent,
  type ImageContent,
  type Message,
  ModelError,
  type ModelRequest,
  type ToolResultContent,
} from '@agent/core'
import type {
  ContentBlock as BedrockContentBlock,
  Message as BedrockMessage,
  CachePointBlock,
  ConverseStreamCommandInput,
  DocumentBlock,
  ImageBlock,
  SystemContentBlock,
  Tool,
  ToolResultContentBlock,
} from '@aws-sdk/client-bedrock-runtime'
import type { BedrockModelOptions } from './bedrock-model-options.js'
import { fromBase64 } from './plain-json.js'

/** Models that accept `status` on tool results; others reject the field. */
const modelsAcceptingToolResultStatus = ['anthropic.claude']

/**
 * Builds the Converse / ConverseStream input from a model request. Binary data (base64 in our messages)
 * becomes bytes; blocks Bedrock would reject are left out.
 */
export function formatRequest(
  options: BedrockModelOptions,
  request: ModelRequest,
): ConverseStreamCommandInput {
  const cache = options.cacheConfig
  const cachePoint: CachePointBlock = { type: 'default', ...(cache?.ttl !== undefined && { ttl: cache.ttl }) }
  const includeStatus = includesToolResultStatus(options)

  const messages = request.messages.map((message) => formatMessage(message, includeStatus))
  if (cache?.messages && messages.length > 0) {
    const latest = messages.at(-1)!
    const content = latest.content ?? []
    if (!('cachePoint' in (content.at(-1) ?? {}))) latest.content = [...content, { cachePoint }]
  }

  const input: ConverseStreamCommandInput = { modelId: options.modelId, messages }

  const system = formatSystemPrompt(request.systemPrompt)
  if (system.length > 0) {
    if (cache?.systemPrompt) system.push({ cachePoint })
    input.system = system
  }

  if (request.toolSpecs !== undefined && request.toolSpecs.length > 0) {
    const tools: Tool[] = request.toolSpecs.map((spec) => ({
      toolSpec: { name: spec.name, description: spec.description, inputSchema: { json: spec.inputSchema } },
    }))
    if (cache?.tools) tools.push({ cachePoint })
    input.toolConfig = { tools, ...(request.toolChoice !== undefined && { toolChoice: request.toolChoice }) }
  }

  const { maxTokens, temperature, topP, stopSequences } = options
  if (
    maxTokens !== undefined ||
    temperature !== undefined ||
    topP !== undefined ||
    stopSequences !== undefined
  ) {
    input.inferenceConfig = {
      ...(maxTokens !== undefined && { maxTokens }),
      ...(temperature !== undefined && { temperature }),
      ...(topP !== undefined && { topP }),
      ...(stopSequences !== undefined && { stopSequences }),
    }
  }
  if (options.additionalRequestFields !== undefined) {
    input.additionalModelRequestFields = options.additionalRequestFields
  }
  if (options.additionalResponseFieldPaths !== undefined) {
    input.additionalModelResponseFieldPaths = options.additionalResponseFieldPaths
  }
  const guardrail = options.guardrail
  if (guardrail !== undefined) {
    input.guardrailConfig = {
      guardrailIdentifier: guardrail.id,
      guardrailVersion: guardrail.version,
      trace: guardrail.trace ?? 'enabled',
      // Only ConverseStream knows this member; Converse rejects unknown members.
      ...(options.streaming !== false &&
        guardrail.streamProcessingMode !== undefined && {
          streamProcessingMode: guardrail.streamProcessingMode,
        }),
    }
  }
  return input
}

function includesToolResultStatus(options: BedrockModelOptions): boolean {
  const setting = options.includeToolResultStatus ?? 'auto'
  if (setting !== 'auto') return setting
  return modelsAcceptingToolResultStatus.some((family) => options.modelId.includes(family))
}

function formatSystemPrompt(systemPrompt: ModelRequest['systemPrompt']): SystemContentBlock[] {
  if (systemPrompt === undefined) return []
  if (typeof systemPrompt === 'string') return systemPrompt === '' ? [] : [{ text: systemPrompt }]
  const system: SystemContentBlock[] = []
  for (const block of systemPrompt) {
    if ('text' in block) {
      if (block.text !== '') system.push({ text: block.text })
    } else if ('cachePoint' in block) {
      system.push({ cachePoint: { type: 'default' } })
    } else {
      throw new ModelError(
        `A Bedrock system prompt holds only text and cache points, not a ${Object.keys(block)[0]} block. Move it into a user message.`,
      )
    }
  }
  return system
}

function formatMessage(message: Message, includeStatus: boolean): BedrockMessage {
  const content: BedrockContentBlock[] = []
  for (const block of message.content) {
    const formatted = formatContentBlock(block, includeStatus)
    if (formatted !== undefined) content.push(formatted)
  }
  return { role: message.role, content }
}

function formatContentBlock(block: ContentBlock, includeStatus: boolean): BedrockContentBlock | undefined {
  if ('text' in block) {
    // Bedrock rejects blank text blocks; some models stream empty ones, which the loop keeps.
    return block.text === '' ? undefined : { text: block.text }
  }
  if ('toolUse' in block) {
    const { toolUseId, name, input } = block.toolUse
    return { toolUse: { toolUseId, name, input: input ?? {} } }
  }
  if ('toolResult' in block) {
    const { toolUseId, status, content } = block.toolResult
    return {
      toolResult: {
        toolUseId,
        content: content.map(formatToolResultContent),
        ...(includeStatus && { status }),
      },
    }
  }
  if ('reasoningContent' in block) {
    const { reasoningText, redactedContent } = block.reasoningContent
    if (reasoningText !== undefined) {
      return {
        reasoningContent: {
          reasoningText: {
            text: reasoningText.text,
            ...(reasoningText.signature !== undefined && { signature: reasoningText.signature }),
          },
        },
      }
    }
    if (redactedContent !== undefined)
      return { reasoningContent: { redactedContent: fromBase64(redactedContent) } }
    return undefined
  }
  if ('image' in block) return { image: formatImage(block.image) }
  if ('document' in block) return { document: formatDocument(block.document) }
  if ('cachePoint' in block) return { cachePoint: { type: 'default' } }
  if ('citationsContent' in block) {
    // Bedrock's shape is `{citations, content}`. The loop's aggregate of citation deltas is a plain list,
    // which Bedrock would reject; the cited text is already in the message's text blocks, so it is left out.
    const citations = block.citationsContent
    if (citations !== null && typeof citations === 'object' && !Array.isArray(citations)) {
      return { citationsContent: citations } as BedrockContentBlock
    }
    return undefined
  }
  return undefined
}

function formatToolResultContent(part: ToolResultContent): ToolResultContentBlock {
  if ('text' in part) return { text: part.text }
  if ('json' in part) return { json: part.json }
  if ('image' in part) return { image: formatImage(part.image) }
  return { document: formatDocument(part.document) }
}

function formatImage(image: ImageContent): ImageBlock {
  const source = image.source
  if ('bytes' in source) return { format: image.format, source: { bytes: fromBase64(source.bytes) } }
  if (source.url.startsWith('s3://'))
    return { format: image.format, source: { s3Location: { uri: source.url } } }
  throw new ModelError(
    'Bedrock does not fetch images from web URLs: download the image and pass its bytes (base64 in source.bytes), or use an s3:// URL.',
  )
}

/**
 * Bedrock accepts only letters, digits, single spaces, hyphens, parentheses and square brackets in a
 * document name (a name like `report.pdf` is a ValidationException), so others become hyphens.
 */
export function bedrockDocumentName(name: string): string {
  const cleaned = name
    .replace(/[^\p{L}\p{N}\s\-()[\]]/gu, '-')
    .replace(/\s+/g, ' ')
    .trim()
  return cleaned === '' ? 'document' : cleaned
}

function formatDocument(document: DocumentContent): DocumentBlock {
  const source = document.source
  return {
    format: document.format,
    name: bedrockDocumentName(document.name),
    source: 'bytes' in source ? { bytes: fromBase64(source.bytes) } : { text: source.text },
  }
}
