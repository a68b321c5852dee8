import { ModelError } from '../errors/model-error.js'
import type { AgentEvent } from '../events/agent-events.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import type { JsonValue } from '../types/json.js'
import type { ContentBlock, Message } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Metrics, Usage } from '../types/usage.js'

type BlockKind = 'text' | 'toolUse' | 'reasoning' | 'citation'

/** One block still receiving deltas. Allocated once per block, never per token. */
interface OpenBlock {
  kind: BlockKind | undefined
  text: string
  toolUseId: string
  toolName: string
  toolInput: string
  reasoningText: string | undefined
  reasoningSignature: string | undefined
  redactedContent: string | undefined
  citations: JsonValue[] | undefined
}

/** The stop reasons a model turn may end with; anything else is read as `end_turn`. */
const modelStopReasons: ReadonlySet<string> = new Set<StopReason>([
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'content_filtered',
  'guardrail_intervened',
])

/**
 * Builds the assistant message from a model's stream, one chunk at a time, and says which derived
 * event (if any) the chunk causes. Blocks are keyed by `contentBlockIndex`, so several may be open at
 * once (parallel tool calls whose arguments interleave); the message keeps them in index order.
 * Synchronous and allocation-light: this is the hot path.
 */
export class MessageAggregator {
  stopReason: StopReason | undefined
  additionalModelResponseFields: JsonValue | undefined
  usage: Usage | undefined
  metrics: Metrics | undefined
  /** Tool uses whose input was not valid JSON, by toolUseId, with the reason. */
  readonly invalidToolInputs = new Map<string, string>()

  private readonly open = new Map<number, OpenBlock>()
  /** Finished blocks with their index; empty text blocks leave no entry. */
  private readonly closed: { index: number; block: ContentBlock | undefined }[] = []
  private readonly closedIndices = new Set<number>()
  /** The tool-use ids of this turn, to repair duplicates (created with the first tool use). */
  private toolUseIds: Set<string> | undefined
  /** The last block looked up: consecutive deltas of one block skip the map. */
  private lastIndex = -1
  private lastBlock: OpenBlock | undefined
  /** Set when a guardrail replaced the answer: the conversation keeps this instead of what streamed. */
  private redactedAnswer: string | undefined

  accept(chunk: ModelStreamEvent): AgentEvent | undefined {
    const deltaEvent = (
      chunk as { contentBlockDelta?: { contentBlockIndex: number; delta: Record<string, unknown> } }
    ).contentBlockDelta
    if (deltaEvent !== undefined) return this.acceptDelta(deltaEvent.contentBlockIndex, deltaEvent.delta)
    if ('contentBlockStart' in chunk) {
      const { contentBlockIndex, start } = chunk.contentBlockStart
      const block = this.blockAt(contentBlockIndex)
      const toolUse = start?.toolUse
      if (toolUse !== undefined) {
        if (block.kind !== undefined) throw malformed(`block ${contentBlockIndex} started twice`)
        block.kind = 'toolUse'
        block.toolUseId = this.uniqueToolUseId(toolUse.toolUseId)
        block.toolName = toolUse.name
      }
    } else if ('contentBlockStop' in chunk) {
      const index = chunk.contentBlockStop.contentBlockIndex
      const block = this.open.get(index)
      if (block !== undefined) this.closeBlock(index, block)
    } else if ('messageStop' in chunk) {
      this.closeAll()
      const stopReason = chunk.messageStop.stopReason
      // Servers invent stop reasons; one the loop does not know would end the run in an unknown state.
      this.stopReason = modelStopReasons.has(stopReason) ? stopReason : 'end_turn'
      this.additionalModelResponseFields = chunk.messageStop.additionalModelResponseFields
    } else if ('metadata' in chunk) {
      if (chunk.metadata.usage !== undefined) this.usage = chunk.metadata.usage
      if (chunk.metadata.metrics !== undefined) this.metrics = chunk.metadata.metrics
    } else if ('redactContent' in chunk) {
      this.redactedAnswer = chunk.redactContent.redactAssistantContentMessage ?? this.redactedAnswer
    }
    return undefined
  }

  private acceptDelta(index: number, delta: Record<string, unknown>): AgentEvent | undefined {
    const block =
      index === this.lastIndex && this.lastBlock !== undefined ? this.lastBlock : this.blockAt(index)
    const text = delta.text
    if (typeof text === 'string') {
      if (block.kind === undefined) block.kind = 'text'
      else if (block.kind !== 'text' && block.kind !== 'citation') throw mixed(index, block.kind, 'text')
      block.text += text
      return { type: 'data', data: text, delta: delta as { text: string } }
    }
    const toolUse = delta.toolUse as { input: string } | undefined
    if (toolUse !== undefined) {
      if (block.kind !== 'toolUse') {
        throw malformed(`tool input arrived for block ${index}, which did not start a tool use`)
      }
      block.toolInput += toolUse.input
      return {
        type: 'tool_use_stream',
        current_tool_use: { toolUseId: block.toolUseId, name: block.toolName, input: block.toolInput },
        delta: delta as { toolUse: { input: string } },
      }
    }
    const reasoning = delta.reasoningContent as
      | { text?: string; signature?: string; redactedContent?: string }
      | undefined
    if (reasoning !== undefined) {
      if (block.kind === undefined) block.kind = 'reasoning'
      else if (block.kind !== 'reasoning') throw mixed(index, block.kind, 'reasoning')
      const event: AgentEvent = { type: 'reasoning', reasoning: true, delta: { reasoningContent: reasoning } }
      if (reasoning.text !== undefined) {
        block.reasoningText = (block.reasoningText ?? '') + reasoning.text
        event.reasoningText = reasoning.text
      }
      if (reasoning.signature !== undefined) {
        block.reasoningSignature = (block.reasoningSignature ?? '') + reasoning.signature
        event.reasoning_signature = reasoning.signature
      }
      if (reasoning.redactedContent !== undefined) {
        block.redactedContent = (block.redactedContent ?? '') + reasoning.redactedContent
        event.reasoningRedactedContent = reasoning.redactedContent
      }
      return event
    }
    if ('citation' in delta) {
      // Citations annotate the text of their block: the block becomes a citations block holding both.
      if (block.kind !== undefined && block.kind !== 'text' && block.kind !== 'citation') {
        throw mixed(index, block.kind, 'citation')
      }
      block.kind = 'citation'
      ;(block.citations ??= []).push(delta.citation as JsonValue)
    }
    return undefined
  }

  /** The open block at `index`, opened now if new. Content after `messageStop` or a block's stop is malformed. */
  private blockAt(index: number): OpenBlock {
    let block = this.open.get(index)
    if (block === undefined) {
      if (!Number.isInteger(index) || index < 0) {
        throw malformed(`a content block event has no valid contentBlockIndex (${String(index)})`)
      }
      if (this.stopReason !== undefined) throw malformed(`block ${index} arrived after messageStop`)
      if (this.closedIndices.has(index)) throw malformed(`block ${index} received content after its stop`)
      block = {
        kind: undefined,
        text: '',
        toolUseId: '',
        toolName: '',
        toolInput: '',
        reasoningText: undefined,
        reasoningSignature: undefined,
        redactedContent: undefined,
        citations: undefined,
      }
      this.open.set(index, block)
    }
    this.lastIndex = index
    this.lastBlock = block
    return block
  }

  /**
   * A tool use needs an id unique in its turn, or its result cannot be paired with it: a missing or
   * repeated id is replaced by a generated one (the provider accepts any id it is sent back).
   */
  private uniqueToolUseId(toolUseId: string | undefined): string {
    const seen = (this.toolUseIds ??= new Set())
    let id = toolUseId
    if (typeof id !== 'string' || id === '' || seen.has(id)) id = generatedToolUseId()
    seen.add(id)
    return id
  }

  private closeBlock(index: number, block: OpenBlock): void {
    this.open.delete(index)
    this.closedIndices.add(index)
    if (this.lastIndex === index) this.lastBlock = undefined
    const content = this.contentOf(block)
    if (content !== undefined) this.closed.push({ index, block: content })
  }

  private closeAll(): void {
    for (const [index, block] of this.open) this.closeBlock(index, block)
  }

  private contentOf(block: OpenBlock): ContentBlock | undefined {
    switch (block.kind) {
      case 'text':
        // Providers reject empty text blocks when the conversation is sent back.
        return block.text === '' ? undefined : { text: block.text }
      case 'toolUse':
        return {
          toolUse: { toolUseId: block.toolUseId, name: block.toolName, input: this.parseToolInput(block) },
        }
      case 'reasoning':
        return {
          reasoningContent:
            block.redactedContent !== undefined && block.reasoningText === undefined
              ? { redactedContent: block.redactedContent }
              : {
                  reasoningText: {
                    text: block.reasoningText ?? '',
                    ...(block.reasoningSignature !== undefined && { signature: block.reasoningSignature }),
                  },
                },
        }
      case 'citation':
        return {
          citationsContent: {
            citations: block.citations ?? [],
            content: block.text === '' ? [] : [{ text: block.text }],
          },
        }
      default:
        return undefined
    }
  }

  private parseToolInput(block: OpenBlock): JsonValue {
    const input = block.toolInput
    if (input.trim() === '') return {}
    try {
      return JSON.parse(input) as JsonValue
    } catch (error) {
      const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input
      this.invalidToolInputs.set(
        block.toolUseId,
        `The tool input was not valid JSON (${(error as Error).message}). Received: ${shown}. Send the input again as one JSON object.`,
      )
      return {}
    }
  }

  /** The finished blocks in index order (blocks may finish out of order when they interleave). */
  private content(): ContentBlock[] {
    const closed = this.closed
    for (let position = 1; position < closed.length; position++) {
      if (closed[position - 1]!.index > closed[position]!.index) {
        closed.sort((left, right) => left.index - right.index)
        break
      }
    }
    return closed.map((entry) => entry.block!)
  }

  /** The finished message; throws when the stream ended before the model said it was done. */
  finish(): { message: Message; stopReason: StopReason } {
    this.closeAll()
    if (this.stopReason === undefined) {
      throw new ModelError(
        'The model stream ended before its messageStop event (the response was cut off). Try again.',
        { retryable: true },
      )
    }
    const content = this.content()
    const hasToolUse = content.some((block) => 'toolUse' in block)
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
    return { message: { role: 'assistant', content }, stopReason }
  }

  /** What can be kept of an interrupted stream: finished text and reasoning, never a half tool use. */
  partialMessage(): Message | undefined {
    for (const [index, block] of this.open) {
      if (block.kind !== 'toolUse') this.closeBlock(index, block)
    }
    const content = this.content().filter((block) => !('toolUse' in block))
    return content.length > 0 ? { role: 'assistant', content } : undefined
  }
}

function malformed(what: string): ModelError {
  return new ModelError(`The model sent a malformed stream: ${what}. Try again.`, { retryable: true })
}

function mixed(index: number, kind: BlockKind, delta: string): ModelError {
  return malformed(`block ${index} is a ${kind} block but received a ${delta} delta`)
}

function generatedToolUseId(): string {
  return `tooluse_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`
}
