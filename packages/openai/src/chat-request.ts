import type { ContentBlock, DocumentContent, ImageContent, Message, ModelRequest } from '@agent/core'
import type {
  ChatCompletionContentPart,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions'
import {
  documentInput,
  imageUrl,
  systemPromptText,
  toolArguments,
  toolResultAttachments,
  toolResultText,
} from './content-conversion.js'

export interface ChatRequestOptions {
  modelId: string
  /** Passed through into the request body (temperature, max_completion_tokens, …). */
  params?: Record<string, unknown> | undefined
  /** Send earlier reasoning back as `reasoning_content` on assistant messages. */
  sendReasoningContent?: boolean | undefined
  /** Each message's conversion, kept from earlier requests (one cache per model: its options are fixed). */
  converted?: ConvertedMessages | undefined
}

/**
 * What each conversation message became, by identity: a long conversation is converted once, not once
 * per cycle. An entry also remembers the message's blocks, so a message edited in place (a prompt merged
 * into it and undone, a guardrail's redaction, an app's own edit that adds, removes or swaps blocks) is
 * converted again: checking costs one comparison per block, converting is what it saves.
 */
export type ConvertedMessages = WeakMap<Message, ConvertedMessage>

interface ConvertedMessage {
  readonly blocks: readonly ContentBlock[]
  readonly params: readonly ChatCompletionMessageParam[]
}

function sameBlocks(message: Message, entry: ConvertedMessage): boolean {
  const { content } = message
  const { blocks } = entry
  if (content.length !== blocks.length) return false
  for (let index = 0; index < blocks.length; index++) if (content[index] !== blocks[index]) return false
  return true
}

/** The streaming Chat Completions request for a model request. */
export function toChatRequest(
  request: ModelRequest,
  options: ChatRequestOptions,
): ChatCompletionCreateParamsStreaming {
  const params = options.params ?? {}
  const streamOptions = params.stream_options as Record<string, unknown> | undefined
  const body: ChatCompletionCreateParamsStreaming = {
    ...(params as Partial<ChatCompletionCreateParamsStreaming>),
    model: options.modelId,
    messages: toChatMessages(request, options.sendReasoningContent ?? false, options.converted),
    stream: true,
    stream_options: { ...streamOptions, include_usage: true },
  }
  const toolSpecs = request.toolSpecs
  if (toolSpecs !== undefined && toolSpecs.length > 0) {
    body.tools = toolSpecs.map((spec) => ({
      type: 'function',
      function: { name: spec.name, description: spec.description, parameters: spec.inputSchema },
    }))
    if (request.toolChoice !== undefined) body.tool_choice = toChatToolChoice(request.toolChoice)
  }
  return body
}

function toChatToolChoice(choice: NonNullable<ModelRequest['toolChoice']>): ChatCompletionToolChoiceOption {
  if ('any' in choice) return 'required'
  if ('tool' in choice) return { type: 'function', function: { name: choice.tool.name } }
  return 'auto'
}

export function toChatMessages(
  request: ModelRequest,
  sendReasoningContent: boolean,
  converted?: ConvertedMessages,
): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = []
  const system = systemPromptText(request.systemPrompt)
  if (system !== undefined) messages.push({ role: 'system', content: system })
  for (const message of request.messages) {
    const entry = converted?.get(message)
    let params = entry !== undefined && sameBlocks(message, entry) ? entry.params : undefined
    if (params === undefined) {
      params = toChatMessageParams(message, sendReasoningContent)
      converted?.set(message, { blocks: [...message.content], params })
    }
    for (let index = 0; index < params.length; index++) messages.push(params[index]!)
  }
  return messages
}

/** The Chat Completions messages one conversation message becomes (none, one, or several). */
function toChatMessageParams(message: Message, sendReasoningContent: boolean): ChatCompletionMessageParam[] {
  const params: ChatCompletionMessageParam[] = []
  if (message.role === 'assistant') {
    const assistant = toAssistantMessage(message, sendReasoningContent)
    if (assistant !== undefined) params.push(assistant)
  } else {
    addUserMessage(params, message.content)
  }
  return params
}

function toAssistantMessage(
  message: Message,
  sendReasoningContent: boolean,
): ChatCompletionMessageParam | undefined {
  let text = ''
  let reasoning = ''
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = []
  for (const block of message.content) {
    if ('text' in block) text += block.text
    else if ('toolUse' in block) {
      toolCalls.push({
        id: block.toolUse.toolUseId,
        type: 'function',
        function: { name: block.toolUse.name, arguments: toolArguments(block.toolUse.input) },
      })
    } else if ('reasoningContent' in block && block.reasoningContent.reasoningText !== undefined) {
      reasoning += block.reasoningContent.reasoningText.text
    }
  }
  if (text === '' && toolCalls.length === 0) return undefined
  const assistant: ChatCompletionMessageParam & { reasoning_content?: string } = {
    role: 'assistant',
    // OpenAI wants `null` content next to tool calls; an empty string breaks some compatible servers.
    content: text === '' ? null : text,
  }
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls
  if (sendReasoningContent && reasoning !== '') assistant.reasoning_content = reasoning
  return assistant
}

/**
 * A user message becomes `tool` messages (one per result, first, as the API requires right after the
 * assistant's calls) and then one `user` message with the rest, plus any images the results returned.
 */
function addUserMessage(messages: ChatCompletionMessageParam[], content: ContentBlock[]): void {
  const parts: ChatCompletionContentPart[] = []
  const attachments: (ImageContent | DocumentContent)[] = []
  for (const block of content) {
    if ('toolResult' in block) {
      messages.push({
        role: 'tool',
        tool_call_id: block.toolResult.toolUseId,
        content: toolResultText(block.toolResult),
      })
      attachments.push(...toolResultAttachments(block.toolResult))
    } else if ('text' in block) parts.push({ type: 'text', text: block.text })
    else if ('image' in block) parts.push(imagePart(block.image))
    else if ('document' in block) parts.push(documentPart(block.document))
  }
  for (const attachment of attachments) {
    parts.push(
      'format' in attachment && 'name' in attachment ? documentPart(attachment) : imagePart(attachment),
    )
  }
  if (parts.length === 0) return
  // Plain text goes as a string: some compatible servers accept nothing else.
  if (parts.every((part) => part.type === 'text')) {
    messages.push({ role: 'user', content: parts.map((part) => part.text).join('\n') })
  } else {
    messages.push({ role: 'user', content: parts })
  }
}

function imagePart(image: ImageContent): ChatCompletionContentPart {
  return { type: 'image_url', image_url: { url: imageUrl(image) } }
}

function documentPart(document: DocumentContent): ChatCompletionContentPart {
  const input = documentInput(document)
  if ('text' in input) return { type: 'text', text: input.text }
  return { type: 'file', file: { filename: input.filename, file_data: input.fileData } }
}
