import { ContextWindowOverflowError } from '../errors/model-error.js'
import type { Model } from '../model/model.js'
import type { Message } from '../types/messages.js'
import {
  type ConversationManager,
  type ConversationManagerContext,
  cannotReduce,
} from './conversation-manager.js'

export interface SummarizingConversationManagerOptions {
  /** Share of the messages summarized on each overflow, between 0.1 and 0.8. Default 0.3. */
  summaryRatio?: number
  /** The most recent messages are never summarized. Default 10. */
  preserveRecentMessages?: number
  /** The model that writes summaries. Default: the agent's model. */
  summarizationModel?: Model
  /** Instructions for the summary. */
  summarizationSystemPrompt?: string
}

const defaultSummarizationPrompt =
  'You summarize conversations between a user and an AI assistant so that the assistant can continue them. ' +
  'Keep facts, decisions, numbers, names, tool results that matter and open questions. Write plain prose, ' +
  'in the third person, without preamble.'

/** Prefix of the user message that carries a summary. */
export const summaryPrefix = 'Summary of the earlier conversation:\n'

/**
 * On a context overflow, replaces the oldest part of the conversation with a summary written by a model,
 * keeping the most recent messages as they are. Never splits a tool use from its result.
 */
export class SummarizingConversationManager implements ConversationManager {
  private readonly summaryRatio: number
  private readonly preserveRecentMessages: number
  private readonly summarizationModel: Model | undefined
  private readonly systemPrompt: string

  constructor(options: SummarizingConversationManagerOptions = {}) {
    this.summaryRatio = Math.min(0.8, Math.max(0.1, options.summaryRatio ?? 0.3))
    this.preserveRecentMessages = Math.max(1, Math.floor(options.preserveRecentMessages ?? 10))
    this.summarizationModel = options.summarizationModel
    this.systemPrompt = options.summarizationSystemPrompt ?? defaultSummarizationPrompt
  }

  applyManagement(): void {}

  async reduceContext(
    messages: Message[],
    error: ContextWindowOverflowError,
    context: ConversationManagerContext,
  ): Promise<void> {
    const wanted = Math.max(1, Math.floor(messages.length * this.summaryRatio))
    let end = Math.min(wanted, messages.length - this.preserveRecentMessages)
    // Never separate a result from its tool use: the kept part may not start with tool results.
    while (end > 0 && end < messages.length && startsWithToolResults(messages[end]!)) end++
    if (end <= 0 || end >= messages.length) {
      throw cannotReduce(
        `${messages.length} message(s), of which the last ${this.preserveRecentMessages} are kept as they are`,
        error,
      )
    }
    const summary = await this.summarize(messages.slice(0, end), context)
    const first = messages[end]!
    messages.splice(0, end)
    const summaryBlock = { text: `${summaryPrefix}${summary}` }
    if (first.role === 'user') first.content.unshift(summaryBlock)
    else messages.unshift({ role: 'user', content: [summaryBlock] })
  }

  private async summarize(messages: Message[], context: ConversationManagerContext): Promise<string> {
    const model = this.summarizationModel ?? context.model
    const request: Message = {
      role: 'user',
      content: [
        {
          text: `Summarize this conversation:\n\n${renderTranscript(messages)}`,
        },
      ],
    }
    let text = ''
    try {
      for await (const chunk of model.stream({
        messages: [request],
        systemPrompt: this.systemPrompt,
        signal: context.signal,
      })) {
        if ('contentBlockDelta' in chunk && 'text' in chunk.contentBlockDelta.delta) {
          text += chunk.contentBlockDelta.delta.text
        }
      }
    } catch (error) {
      if (ContextWindowOverflowError.isInstance(error)) {
        throw cannotReduce('the part to summarize is itself too large for the summarization model', error)
      }
      throw error
    }
    if (text.trim() === '') throw cannotReduce('the summarization model returned an empty summary', undefined)
    return text.trim()
  }
}

function startsWithToolResults(message: Message): boolean {
  return message.role === 'user' && message.content.some((block) => 'toolResult' in block)
}

/** The messages as plain text for the summarizer; long tool payloads are shortened. */
function renderTranscript(messages: readonly Message[]): string {
  const lines: string[] = []
  for (const message of messages) {
    for (const block of message.content) {
      if ('text' in block) lines.push(`${message.role}: ${block.text}`)
      else if ('toolUse' in block)
        lines.push(
          `${message.role} called tool ${block.toolUse.name} with ${shorten(JSON.stringify(block.toolUse.input))}`,
        )
      else if ('toolResult' in block) {
        const parts = block.toolResult.content.map((part) =>
          'text' in part
            ? part.text
            : 'json' in part
              ? JSON.stringify(part.json)
              : `[${Object.keys(part)[0]}]`,
        )
        lines.push(`tool result (${block.toolResult.status}): ${shorten(parts.join(' '))}`)
      } else lines.push(`${message.role}: [${Object.keys(block)[0]}]`)
    }
  }
  return lines.join('\n')
}

function shorten(text: string): string {
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text
}
