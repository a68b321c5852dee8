import { ModelError, type ModelStreamEvent, type StopReason, type Usage } from '@agent/core'
import type { StreamMetrics } from '@agent/core/provider'
import { endedEarly, pushMessageEnd, usageOf } from './message-end.js'

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

/** A tool call as the server numbers it; its block starts once its id and name are known. */
interface ToolCall {
  /** Our block index, or -1 while the call waits for its function name. */
  blockIndex: number
  /** The server's id ('' when it sent none). */
  id: string
  name: string
  /** Argument pieces received before the block could start. */
  arguments: string
}

/** Why a stream that ended without its end failed: cut mid-answer, or not this protocol at all. */
const cutShort =
  'The OpenAI stream ended before the model finished its answer (no finish_reason; the connection was probably cut). Try again.'
const nothingSent =
  'The OpenAI stream ended without sending any chunk. Check that the server speaks the Chat Completions streaming protocol, then try again.'

/**
 * Turns Chat Completions chunks into Converse-shaped stream events, one chunk at a time, synchronously.
 * Text and reasoning blocks start with their first delta and end when another block starts. A tool call
 * starts with `contentBlockStart` as soon as its id and name are known, and each argument piece is
 * forwarded as it arrives, under the call's own block index: parallel calls may interleave their pieces
 * (vLLM, some gateways), so tool blocks stay open until the message ends.
 */
export class ChatStreamConverter {
  /** How the model said it finished, once it has. */
  finishReason: string | undefined
  usage: Usage | undefined

  private started = false
  /** The open text or reasoning block, if any, at `textBlockIndex`. */
  private open: 'text' | 'reasoning' | undefined
  private textBlockIndex = -1
  private nextBlockIndex = 0
  /** Tool calls by the server's `index`, and the open tool blocks in start order. */
  private readonly calls = new Map<number, ToolCall>()
  private readonly toolBlocks: number[] = []
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

  /** Closes the message: the open blocks, `messageStop` and `metadata`. Throws when the stream was cut short. */
  finish(out: ModelStreamEvent[], metrics: StreamMetrics): void {
    if (this.finishReason === undefined) {
      throw endedEarly(this.started, cutShort, nothingSent)
    }
    for (const call of this.calls.values()) {
      if (call.blockIndex === -1) throw missingName()
    }
    // Blocks close in index order: tool blocks first, then a text block opened after them.
    for (const blockIndex of this.toolBlocks)
      out.push({ contentBlockStop: { contentBlockIndex: blockIndex } })
    this.closeText(out)
    pushMessageEnd(out, toStopReason(this.finishReason, this.sawToolCall), this.usage, metrics)
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

  private acceptToolCall(delta: ChatToolCallDelta, position: number, out: ModelStreamEvent[]): void {
    this.sawToolCall = true
    const index = delta.index ?? position
    const id = delta.id
    const name = delta.function?.name
    const pieceOfArguments = delta.function?.arguments
    let call = this.calls.get(index)
    // Some servers number every call 0 and tell them apart only by id: a new id with a name is a new call.
    if (call === undefined || (call.blockIndex !== -1 && id && id !== call.id && name)) {
      call = { blockIndex: -1, id: '', name: '', arguments: '' }
      this.calls.set(index, call)
    }
    if (call.blockIndex !== -1) {
      // Continuation chunks: ids (often "") and repeated names are ignored, argument pieces go out as they come.
      if (pieceOfArguments) {
        out.push({
          contentBlockDelta: {
            contentBlockIndex: call.blockIndex,
            delta: { toolUse: { input: pieceOfArguments } },
          },
        })
      }
      return
    }
    if (id) call.id = id
    if (name) call.name = name
    if (pieceOfArguments) call.arguments += pieceOfArguments
    if (call.name === '') return
    this.closeText(out)
    call.blockIndex = this.nextBlockIndex++
    this.toolBlocks.push(call.blockIndex)
    // Some servers omit the id; the loop needs one to pair the result with the call.
    const toolUseId = call.id || `call_${randomSuffix()}`
    out.push({
      contentBlockStart: {
        contentBlockIndex: call.blockIndex,
        start: { toolUse: { toolUseId, name: call.name } },
      },
    })
    if (call.arguments !== '') {
      out.push({
        contentBlockDelta: {
          contentBlockIndex: call.blockIndex,
          delta: { toolUse: { input: call.arguments } },
        },
      })
      call.arguments = ''
    }
  }

  private textDelta(text: string, out: ModelStreamEvent[]): void {
    if (this.open !== 'text') this.startText('text', out)
    out.push({ contentBlockDelta: { contentBlockIndex: this.textBlockIndex, delta: { text } } })
  }

  private reasoningDelta(text: string, out: ModelStreamEvent[]): void {
    if (this.open !== 'reasoning') this.startText('reasoning', out)
    out.push({
      contentBlockDelta: { contentBlockIndex: this.textBlockIndex, delta: { reasoningContent: { text } } },
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

  private startText(kind: 'text' | 'reasoning', out: ModelStreamEvent[]): void {
    this.closeText(out)
    this.textBlockIndex = this.nextBlockIndex++
    this.open = kind
  }

  private closeText(out: ModelStreamEvent[]): void {
    if (this.open === undefined) return
    out.push({ contentBlockStop: { contentBlockIndex: this.textBlockIndex } })
    this.open = undefined
  }
}

function missingName(): ModelError {
  return new ModelError(
    'The OpenAI stream sent a tool call without a function name, so it cannot be run. Try again.',
    { retryable: true },
  )
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
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens
  return usageOf(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, cached)
}

function randomSuffix(): string {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 24)
}
