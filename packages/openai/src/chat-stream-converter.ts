import { ModelError, type ModelStreamEvent, type StopReason, type Usage } from '@agent/core'

/**
 * The parts of a Chat Completions chunk we read. Typed loosely on purpose: OpenAI-compatible servers add,
 * omit and rename fields (`reasoning_content`, `x_groq.usage`, `"id": ""`), and the official types do not
 * describe them.
 */
export interface ChatChunk {
  choices?: ChatChoice[] | null
  usage?: ChatUsage | null
  x_groq?: { usage?: ChatUsage | null } | null
}

interface ChatChoice {
  index?: number
  delta?: ChatDelta | null
  finish_reason?: string | null
}

interface ChatContentPart {
  type?: string
  text?: string
  thinking?: { type?: string; text?: string }[]
}

interface ChatDelta {
  content?: string | ChatContentPart[] | null
  refusal?: string | null
  reasoning_content?: string | null
  /** OpenRouter and newer vLLM name the reasoning text `reasoning`. */
  reasoning?: string | null
  tool_calls?: ChatToolCallDelta[] | null
}

interface ChatToolCallDelta {
  index?: number
  id?: string | null
  function?: { name?: string | null; arguments?: string | null } | null
}

export interface ChatUsage {
  prompt_tokens?: number | null
  completion_tokens?: number | null
  total_tokens?: number | null
  prompt_tokens_details?: { cached_tokens?: number | null } | null
  /** DeepSeek reports cache hits here. */
  prompt_cache_hit_tokens?: number | null
}

type OpenBlock = 'text' | 'reasoning' | 'toolUse' | undefined

/**
 * Turns Chat Completions chunks into Converse-shaped stream events, one chunk at a time, synchronously.
 * Text and reasoning blocks start with their first delta; a tool call starts with `contentBlockStart` as
 * soon as its id and name are known, and each argument piece is forwarded as it arrives.
 */
export class ChatStreamConverter {
  /** How the model said it finished, once it has. */
  finishReason: string | undefined
  usage: Usage | undefined

  private started = false
  private open: OpenBlock
  private blockIndex = -1
  /** Tool-call index (as the server numbers calls) of the open or pending tool block. */
  private toolCallIndex = -1
  private pendingTool: { id: string; name: string; arguments: string } | undefined
  /** The server's id of the open tool call ('' when it sent none). */
  private openToolUseId = ''
  private readonly finishedToolCalls = new Set<number>()
  private sawToolCall = false

  /** Appends the events this chunk causes to `out`. */
  accept(chunk: ChatChunk, out: ModelStreamEvent[]): void {
    if (!this.started) {
      this.started = true
      out.push({ messageStart: { role: 'assistant' } })
    }
    const choices = chunk.choices
    if (choices) {
      for (const choice of choices) {
        // With `n > 1` only the first choice makes the message.
        if (choice.index !== undefined && choice.index !== 0) continue
        const delta = choice.delta
        if (delta) this.acceptDelta(delta, out)
        if (choice.finish_reason) this.finishReason = choice.finish_reason
      }
    }
    const usage = chunk.usage ?? chunk.x_groq?.usage
    if (usage) this.usage = toUsage(usage)
  }

  /** Closes the message: the open block, `messageStop` and `metadata`. Throws when the stream was cut short. */
  finish(out: ModelStreamEvent[], metrics: { latencyMs: number; timeToFirstByteMs?: number }): void {
    if (this.finishReason === undefined) {
      throw new ModelError(
        this.started
          ? 'The OpenAI stream ended before the model finished its answer (no finish_reason; the connection was probably cut). Try again.'
          : 'The OpenAI stream ended without sending any chunk. Check that the server speaks the Chat Completions streaming protocol, then try again.',
        { retryable: true },
      )
    }
    if (this.pendingTool !== undefined) {
      throw new ModelError(
        'The OpenAI stream sent a tool call without a function name, so it cannot be run. Try again.',
        { retryable: true },
      )
    }
    this.closeBlock(out)
    out.push({ messageStop: { stopReason: toStopReason(this.finishReason, this.sawToolCall) } })
    out.push({ metadata: this.usage ? { usage: this.usage, metrics } : { metrics } })
  }

  private acceptDelta(delta: ChatDelta, out: ModelStreamEvent[]): void {
    const reasoning = delta.reasoning_content ?? delta.reasoning
    if (typeof reasoning === 'string' && reasoning !== '') this.reasoningDelta(reasoning, out)
    const content = delta.content
    if (typeof content === 'string') {
      if (content !== '') this.textDelta(content, out)
    } else if (Array.isArray(content)) {
      this.acceptContentParts(content, out)
    }
    // A refusal is the model's answer in words: it is streamed as text (see README).
    const refusal = delta.refusal
    if (typeof refusal === 'string' && refusal !== '') this.textDelta(refusal, out)
    const toolCalls = delta.tool_calls
    if (toolCalls) {
      for (let position = 0; position < toolCalls.length; position++) {
        this.acceptToolCall(toolCalls[position]!, position, out)
      }
    }
  }

  private acceptToolCall(call: ChatToolCallDelta, position: number, out: ModelStreamEvent[]): void {
    this.sawToolCall = true
    const index = call.index ?? position
    const pieceOfArguments = call.function?.arguments
    if (
      this.open === 'toolUse' &&
      index === this.toolCallIndex &&
      call.id &&
      call.id !== this.openToolUseId &&
      call.function?.name
    ) {
      // Some servers number every call 0 and tell them apart only by id: a new id with a name is a new call.
      this.closeBlock(out)
      this.finishedToolCalls.delete(index)
    }
    if (index !== this.toolCallIndex || this.open !== 'toolUse') {
      if (this.finishedToolCalls.has(index)) {
        // The aggregator builds one block at a time; a server that interleaves calls cannot be streamed live.
        throw new ModelError(
          `The OpenAI stream went back to tool call ${index} after starting another one; interleaved tool-call arguments are not supported. Disable parallel tool calls (params: { parallel_tool_calls: false }) for this server.`,
        )
      }
      if (this.pendingTool === undefined || index !== this.toolCallIndex) {
        if (this.pendingTool !== undefined) {
          throw new ModelError(
            'The OpenAI stream sent a tool call without a function name, so it cannot be run. Try again.',
            { retryable: true },
          )
        }
        this.closeBlock(out)
        this.toolCallIndex = index
        this.pendingTool = { id: '', name: '', arguments: '' }
      }
      const pending = this.pendingTool
      if (call.id) pending.id = call.id
      const name = call.function?.name
      if (name) pending.name = name
      if (pieceOfArguments) pending.arguments += pieceOfArguments
      if (pending.name === '') return
      // Some servers omit the id; the loop needs one to pair the result with the call.
      const toolUseId = pending.id || `call_${randomSuffix()}`
      this.openToolUseId = pending.id
      this.pendingTool = undefined
      this.blockIndex++
      this.open = 'toolUse'
      out.push({
        contentBlockStart: {
          contentBlockIndex: this.blockIndex,
          start: { toolUse: { toolUseId, name: pending.name } },
        },
      })
      if (pending.arguments !== '') {
        out.push({
          contentBlockDelta: {
            contentBlockIndex: this.blockIndex,
            delta: { toolUse: { input: pending.arguments } },
          },
        })
      }
      return
    }
    // Continuation chunks: ids (often "") and repeated names are ignored, argument pieces go out as they come.
    if (pieceOfArguments) {
      out.push({
        contentBlockDelta: {
          contentBlockIndex: this.blockIndex,
          delta: { toolUse: { input: pieceOfArguments } },
        },
      })
    }
  }

  private textDelta(text: string, out: ModelStreamEvent[]): void {
    if (this.open !== 'text') this.startBlock('text', out)
    out.push({ contentBlockDelta: { contentBlockIndex: this.blockIndex, delta: { text } } })
  }

  private reasoningDelta(text: string, out: ModelStreamEvent[]): void {
    if (this.open !== 'reasoning') this.startBlock('reasoning', out)
    out.push({
      contentBlockDelta: { contentBlockIndex: this.blockIndex, delta: { reasoningContent: { text } } },
    })
  }

  /** Mistral streams `content` as parts: `{type: 'text'}` and `{type: 'thinking', thinking: [{type: 'text'}]}`. */
  private acceptContentParts(parts: ChatContentPart[], out: ModelStreamEvent[]): void {
    for (const part of parts) {
      if (part.type === 'text' && typeof part.text === 'string' && part.text !== '')
        this.textDelta(part.text, out)
      else if (part.type === 'thinking' && Array.isArray(part.thinking)) {
        for (const thought of part.thinking) {
          if (typeof thought.text === 'string' && thought.text !== '') this.reasoningDelta(thought.text, out)
        }
      }
    }
  }

  private startBlock(kind: 'text' | 'reasoning', out: ModelStreamEvent[]): void {
    this.closeBlock(out)
    this.blockIndex++
    this.open = kind
  }

  private closeBlock(out: ModelStreamEvent[]): void {
    if (this.open === undefined) return
    if (this.open === 'toolUse') this.finishedToolCalls.add(this.toolCallIndex)
    out.push({ contentBlockStop: { contentBlockIndex: this.blockIndex } })
    this.open = undefined
  }
}

/** Maps a Chat Completions finish reason to ours; a tool call seen in the stream wins over a plain `stop`. */
export function toStopReason(finishReason: string, sawToolCall: boolean): StopReason {
  switch (finishReason) {
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'length':
      return 'max_tokens'
    case 'content_filter':
      return 'content_filtered'
    default:
      return sawToolCall ? 'tool_use' : 'end_turn'
  }
}

export function toUsage(usage: ChatUsage): Usage {
  const inputTokens = usage.prompt_tokens ?? 0
  const outputTokens = usage.completion_tokens ?? 0
  const result: Usage = {
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
  }
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens
  if (cached) result.cacheReadInputTokens = cached
  return result
}

function randomSuffix(): string {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 24)
}
