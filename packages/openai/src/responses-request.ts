import type { ContentBlock, DocumentContent, ImageContent, ModelRequest, ToolResult } from '@agent/core'
import type {
  ResponseCreateParamsStreaming,
  ResponseFunctionCallOutputItemList,
  ResponseInputContent,
  ResponseInputItem,
  ToolChoiceFunction,
  ToolChoiceOptions,
} from 'openai/resources/responses/responses'
import {
  documentInput,
  imageUrl,
  systemPromptText,
  toolArguments,
  toolResultText,
} from './content-conversion.js'

export interface ResponsesRequestOptions {
  modelId: string
  /** Passed through into the request body (temperature, max_output_tokens, reasoning, store…). */
  params?: Record<string, unknown> | undefined
}

/** The streaming Responses API request for a model request. Stateless: `store: false` unless params say otherwise. */
export function toResponsesRequest(
  request: ModelRequest,
  options: ResponsesRequestOptions,
): ResponseCreateParamsStreaming {
  const body: ResponseCreateParamsStreaming = {
    store: false,
    ...(options.params as Partial<ResponseCreateParamsStreaming> | undefined),
    model: options.modelId,
    input: toResponsesInput(request),
    stream: true,
  }
  const instructions = systemPromptText(request.systemPrompt)
  if (instructions !== undefined) body.instructions = instructions
  const toolSpecs = request.toolSpecs
  if (toolSpecs !== undefined && toolSpecs.length > 0) {
    body.tools = toolSpecs.map((spec) => ({
      type: 'function',
      name: spec.name,
      description: spec.description,
      parameters: spec.inputSchema,
      // Strict mode needs every property required and no extra ones; our schemas are not written for it.
      strict: false,
    }))
    if (request.toolChoice !== undefined) body.tool_choice = toResponsesToolChoice(request.toolChoice)
  }
  return body
}

function toResponsesToolChoice(
  choice: NonNullable<ModelRequest['toolChoice']>,
): ToolChoiceOptions | ToolChoiceFunction {
  if ('any' in choice) return 'required'
  if ('tool' in choice) return { type: 'function', name: choice.tool.name }
  return 'auto'
}

export function toResponsesInput(request: ModelRequest): ResponseInputItem[] {
  const items: ResponseInputItem[] = []
  for (const message of request.messages) {
    if (message.role === 'assistant') addAssistantItems(items, message.content)
    else addUserItems(items, message.content)
  }
  return items
}

/** Assistant text and tool calls, in order. Reasoning is not sent back: with `store: false` it cannot be referenced. */
function addAssistantItems(items: ResponseInputItem[], content: ContentBlock[]): void {
  let text = ''
  const flushText = () => {
    if (text === '') return
    items.push({ role: 'assistant', content: text })
    text = ''
  }
  for (const block of content) {
    if ('text' in block) text += block.text
    else if ('toolUse' in block) {
      flushText()
      items.push({
        type: 'function_call',
        call_id: block.toolUse.toolUseId,
        name: block.toolUse.name,
        arguments: toolArguments(block.toolUse.input),
      })
    }
  }
  flushText()
}

function addUserItems(items: ResponseInputItem[], content: ContentBlock[]): void {
  const parts: ResponseInputContent[] = []
  for (const block of content) {
    if ('toolResult' in block) {
      items.push({
        type: 'function_call_output',
        call_id: block.toolResult.toolUseId,
        output: toolOutput(block.toolResult),
      })
    } else if ('text' in block) parts.push({ type: 'input_text', text: block.text })
    else if ('image' in block) parts.push(imagePart(block.image))
    else if ('document' in block) parts.push(documentPart(block.document))
  }
  if (parts.length > 0) items.push({ role: 'user', content: parts })
}

/** Text-only results go as a string; results with images or files as a list of parts. */
function toolOutput(result: ToolResult): string | ResponseFunctionCallOutputItemList {
  if (result.content.every((item) => 'text' in item || 'json' in item)) return toolResultText(result)
  const output: ResponseFunctionCallOutputItemList = []
  const first = result.content[0]
  if (
    result.status === 'error' &&
    !(first !== undefined && 'text' in first && /^error\b/i.test(first.text))
  ) {
    output.push({ type: 'input_text', text: 'Error:' })
  }
  for (const item of result.content) {
    if ('text' in item) output.push({ type: 'input_text', text: item.text })
    else if ('json' in item) output.push({ type: 'input_text', text: JSON.stringify(item.json) })
    else if ('image' in item) output.push(imagePart(item.image))
    else output.push(documentPart(item.document))
  }
  return output
}

function imagePart(image: ImageContent): ResponseInputContent & { type: 'input_image' } {
  return { type: 'input_image', image_url: imageUrl(image), detail: 'auto' }
}

function documentPart(document: DocumentContent): ResponseInputContent {
  const input = documentInput(document)
  if ('text' in input) return { type: 'input_text', text: input.text }
  return { type: 'input_file', filename: input.filename, file_data: input.fileData }
}
