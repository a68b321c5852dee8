import { ModelError } from '../errors/model-error.js'
import type { AgentEvent } from '../events/agent-events.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { JsonValue } from '../types/json.js'
import type { ContentBlock, Message } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Metrics, Usage } from '../types/usage.js'

type OpenBlock = 'text' | 'toolUse' | 'reasoning' | 'citation' | undefined

/**
 * Builds the assistant message from a model's stream, one chunk at a time, and says which
 * derived event (if any) the chunk causes. Synchronous and allocation-light: this is the hot path.
 */
export class MessageAggregator {
  readonly content: ContentBlock[] = []
  stopReason: StopReason | undefined
  additionalModelResponseFields: JsonValue | undefined
  usage: Usage | undefined
  metrics: Metrics | undefined
  /** Tool uses whose input was not valid JSON, by toolUseId, with the reason. */
  readonly invalidToolInputs = new Map<string, string>()

  private open: OpenBlock
  private text = ''
  private toolUseId = ''
  private toolName = ''
  private toolInput = ''
  private reasoningText: string | undefined
  private reasoningSignature: string | undefined
  private redactedContent: string | undefined
  private citations: JsonValue[] = []
  /** Set when a guardrail replaced the answer: the conversation keeps this instead of what streamed. */
  private redactedAnswer: string | undefined

  accept(chunk: ModelStreamEvent): AgentEvent | undefined {
    const deltaEvent = (chunk as { contentBlockDelta?: { delta: Record<string, unknown> } }).contentBlockDelta
    if (deltaEvent !== undefined) return this.acceptDelta(deltaEvent.delta)
    if ('contentBlockStart' in chunk) {
      this.closeBlock()
      const toolUse = chunk.contentBlockStart.start?.toolUse
      if (toolUse !== undefined) {
        this.open = 'toolUse'
        this.toolUseId = toolUse.toolUseId
        this.toolName = toolUse.name
        this.toolInput = ''
      }
    } else if ('contentBlockStop' in chunk) {
      this.closeBlock()
    } else if ('messageStop' in chunk) {
      this.closeBlock()
      this.stopReason = chunk.messageStop.stopReason
      this.additionalModelResponseFields = chunk.messageStop.additionalModelResponseFields
    } else if ('metadata' in chunk) {
      if (chunk.metadata.usage !== undefined) this.usage = chunk.metadata.usage
      if (chunk.metadata.metrics !== undefined) this.metrics = chunk.metadata.metrics
    } else if ('redactContent' in chunk) {
      this.redactedAnswer = chunk.redactContent.redactAssistantContentMessage ?? this.redactedAnswer
    }
    return undefined
  }

  private acceptDelta(delta: Record<string, unknown>): AgentEvent | undefined {
    const text = delta.text
    if (typeof text === 'string') {
      if (this.open !== 'text' && this.open !== 'citation') this.startBlock('text')
      this.text += text
      return { type: 'data', data: text, delta: delta as { text: string } }
    }
    const toolUse = delta.toolUse as { input: string } | undefined
    if (toolUse !== undefined) {
      if (this.open !== 'toolUse') {
        throw new ModelError('The model sent tool input without starting a tool use (malformed stream).')
      }
      this.toolInput += toolUse.input
      return {
        type: 'tool_use_stream',
        current_tool_use: { toolUseId: this.toolUseId, name: this.toolName, input: this.toolInput },
        delta: delta as { toolUse: { input: string } },
      }
    }
    const reasoning = delta.reasoningContent as
      | { text?: string; signature?: string; redactedContent?: string }
      | undefined
    if (reasoning !== undefined) {
      if (this.open !== 'reasoning') this.startBlock('reasoning')
      const event: AgentEvent = { type: 'reasoning', reasoning: true, delta: { reasoningContent: reasoning } }
      if (reasoning.text !== undefined) {
        this.reasoningText = (this.reasoningText ?? '') + reasoning.text
        event.reasoningText = reasoning.text
      }
      if (reasoning.signature !== undefined) {
        this.reasoningSignature = (this.reasoningSignature ?? '') + reasoning.signature
        event.reasoning_signature = reasoning.signature
      }
      if (reasoning.redactedContent !== undefined) {
        this.redactedContent = (this.redactedContent ?? '') + reasoning.redactedContent
        event.reasoningRedactedContent = reasoning.redactedContent
      }
      return event
    }
    if ('citation' in delta) {
      // Citations annotate the text of their block: the block becomes a citations block holding both.
      if (this.open !== 'citation' && this.open !== 'text') this.startBlock('citation')
      this.open = 'citation'
      this.citations.push(delta.citation as JsonValue)
    }
    return undefined
  }

  private startBlock(kind: OpenBlock): void {
    this.closeBlock()
    this.open = kind
  }

  private closeBlock(): void {
    switch (this.open) {
      case 'text':
        // Providers reject empty text blocks when the conversation is sent back.
        if (this.text !== '') this.content.push({ text: this.text })
        this.text = ''
        break
      case 'toolUse':
        this.content.push({
          toolUse: { toolUseId: this.toolUseId, name: this.toolName, input: this.parseToolInput() },
        })
        break
      case 'reasoning':
        this.content.push({
          reasoningContent:
            this.redactedContent !== undefined && this.reasoningText === undefined
              ? { redactedContent: this.redactedContent }
              : {
                  reasoningText: {
                    text: this.reasoningText ?? '',
                    ...(this.reasoningSignature !== undefined && { signature: this.reasoningSignature }),
                  },
                },
        })
        this.reasoningText = this.reasoningSignature = this.redactedContent = undefined
        break
      case 'citation':
        this.content.push({
          citationsContent: {
            citations: this.citations,
            content: this.text === '' ? [] : [{ text: this.text }],
          },
        })
        this.citations = []
        this.text = ''
        break
    }
    this.open = undefined
  }

  private parseToolInput(): JsonValue {
    if (this.toolInput.trim() === '') return {}
    try {
      return JSON.parse(this.toolInput) as JsonValue
    } catch (error) {
      const shown = this.toolInput.length > 200 ? `${this.toolInput.slice(0, 200)}…` : this.toolInput
      this.invalidToolInputs.set(
        this.toolUseId,
        `The tool input was not valid JSON (${(error as Error).message}). Received: ${shown}. Send the input again as one JSON object.`,
      )
      return {}
    }
  }

  /** The finished message; throws when the stream ended before the model said it was done. */
  finish(): { message: Message; stopReason: StopReason } {
    this.closeBlock()
    if (this.stopReason === undefined) {
      throw new ModelError(
        'The model stream ended before its messageStop event (the response was cut off). Try again.',
        {
          retryable: true,
        },
      )
    }
    const hasToolUse = this.content.some((block) => 'toolUse' in block)
    // Some OpenAI-compatible servers say `stop` after tool calls, or `tool_calls` with none: trust the content.
    let stopReason = this.stopReason
    if (hasToolUse && stopReason === 'end_turn') stopReason = 'tool_use'
    if (!hasToolUse && stopReason === 'tool_use') stopReason = 'end_turn'
    if (this.redactedAnswer !== undefined) {
      return {
        message: { role: 'assistant', content: [{ text: this.redactedAnswer }] },
        stopReason: 'guardrail_intervened',
      }
    }
    return { message: { role: 'assistant', content: this.content }, stopReason }
  }

  /** What can be kept of an interrupted stream: finished text and reasoning, never a half tool use. */
  partialMessage(): Message | undefined {
    if (this.open === 'text' || this.open === 'reasoning' || this.open === 'citation') this.closeBlock()
    const content = this.content.filter((block) => !('toolUse' in block))
    return content.length > 0 ? { role: 'assistant', content } : undefined
  }
}
