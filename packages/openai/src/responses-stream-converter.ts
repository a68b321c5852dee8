import { ModelError, type ModelStreamEvent, type StopReason, type Usage } from '@agent/core'
import type { StreamMetrics } from '@agent/core/provider'
import { fromProviderFailure } from './map-openai-error.js'
import { endedEarly, pushMessageEnd, usageOf } from './message-end.js'

/** The parts of a Responses API stream event we read (typed loosely: Azure and compatible servers vary). */
export interface ResponsesEvent {
  type: string
  output_index?: number
  summary_index?: number
  content_index?: number
  delta?: string
  item?: { type?: string; call_id?: string; name?: string; arguments?: string } | null
  response?: ResponsesResponse | null
  /** On `error` events. */
  code?: string | null
  message?: string | null
  error?: { code?: string | null; message?: string | null } | null
}

interface ResponsesResponse {
  usage?: {
    input_tokens?: number | null
    output_tokens?: number | null
    total_tokens?: number | null
    input_tokens_details?: { cached_tokens?: number | null } | null
  } | null
  incomplete_details?: { reason?: string | null } | null
  error?: { code?: string | null; message?: string | null } | null
}

/** An output item being streamed, by its `output_index`, with the block it became. */
interface OpenItem {
  kind: 'text' | 'reasoning' | 'toolUse'
  blockIndex: number
  /** The summary or content part of a reasoning item last seen, to join parts as paragraphs. */
  partIndex: number
  argumentsSent: boolean
}

/** Why a stream that ended without its end failed: cut mid-answer, or not this protocol at all. */
const cutShort =
  'The OpenAI Responses stream ended before response.completed (the connection was probably cut). Try again.'
const nothingSent =
  'The OpenAI Responses stream ended without sending any event. Check that the server speaks the Responses API, then try again.'

/**
 * Turns Responses API stream events into Converse-shaped stream events, synchronously, one at a time.
 * Each output item (`output_index`) becomes one block with its own index, open until its
 * `output_item.done`, so items that stream side by side (parallel function calls) interleave safely.
 * Text and reasoning summaries stream as deltas; a function call starts with `contentBlockStart` when its
 * item is added and streams its argument deltas as they come.
 */
export class ResponsesStreamConverter {
  stopReason: StopReason | undefined
  usage: Usage | undefined

  private started = false
  private nextBlockIndex = 0
  private readonly items = new Map<number, OpenItem>()
  private sawFunctionCall = false

  accept(event: ResponsesEvent, out: ModelStreamEvent[]): void {
    if (!this.started) {
      this.started = true
      out.push({ messageStart: { role: 'assistant' } })
    }
    switch (event.type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        // A refusal is the model's answer in words: it is streamed as text (see README).
        if (!event.delta) return
        const item = this.itemAt(event.output_index ?? 0, 'text', out)
        out.push({ contentBlockDelta: { contentBlockIndex: item.blockIndex, delta: { text: event.delta } } })
        return
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        if (!event.delta) return
        const item = this.itemAt(event.output_index ?? 0, 'reasoning', out)
        const partIndex = event.summary_index ?? event.content_index ?? 0
        // Summary parts of one reasoning item read as paragraphs of one block.
        const text =
          item.partIndex === -1 || item.partIndex === partIndex ? event.delta : `\n\n${event.delta}`
        item.partIndex = partIndex
        out.push({
          contentBlockDelta: { contentBlockIndex: item.blockIndex, delta: { reasoningContent: { text } } },
        })
        return
      }
      case 'response.output_item.added': {
        const item = event.item
        if (item?.type !== 'function_call') return
        if (!item.call_id || !item.name) {
          throw new ModelError(
            'The Responses stream sent a function call without a call_id or name. Try again.',
            {
              retryable: true,
            },
          )
        }
        const outputIndex = event.output_index ?? 0
        if (this.items.has(outputIndex)) throw notOpenCall(outputIndex)
        const open = this.openItem(outputIndex, 'toolUse')
        this.sawFunctionCall = true
        out.push({
          contentBlockStart: {
            contentBlockIndex: open.blockIndex,
            start: { toolUse: { toolUseId: item.call_id, name: item.name } },
          },
        })
        return
      }
      case 'response.function_call_arguments.delta': {
        if (!event.delta) return
        const item = this.openCall(event.output_index ?? 0)
        item.argumentsSent = true
        out.push({
          contentBlockDelta: {
            contentBlockIndex: item.blockIndex,
            delta: { toolUse: { input: event.delta } },
          },
        })
        return
      }
      case 'response.output_item.done': {
        const outputIndex = event.output_index ?? 0
        if (event.item?.type === 'function_call') {
          const item = this.openCall(outputIndex)
          // Some servers send the arguments only whole, at the end.
          const whole = event.item.arguments
          if (!item.argumentsSent && whole) {
            out.push({
              contentBlockDelta: { contentBlockIndex: item.blockIndex, delta: { toolUse: { input: whole } } },
            })
          }
        }
        const item = this.items.get(outputIndex)
        if (item !== undefined) {
          this.items.delete(outputIndex)
          out.push({ contentBlockStop: { contentBlockIndex: item.blockIndex } })
        }
        return
      }
      case 'response.completed':
        this.usage = toUsage(event.response)
        this.stopReason = this.sawFunctionCall ? 'tool_use' : 'end_turn'
        return
      case 'response.incomplete': {
        this.usage = toUsage(event.response)
        const reason = event.response?.incomplete_details?.reason
        this.stopReason =
          reason === 'max_output_tokens'
            ? 'max_tokens'
            : reason === 'content_filter'
              ? 'content_filtered'
              : this.sawFunctionCall
                ? 'tool_use'
                : 'end_turn'
        return
      }
      case 'response.failed': {
        const error = event.response?.error
        throw fromProviderFailure(
          {
            code: error?.code ?? undefined,
            message: error?.message ?? 'The response failed without a message.',
          },
          'OpenAI Responses',
        )
      }
      case 'error':
        throw fromProviderFailure(
          {
            code: event.code ?? event.error?.code ?? undefined,
            message:
              event.message ?? event.error?.message ?? 'The stream reported an error without a message.',
          },
          'OpenAI Responses',
        )
    }
  }

  /** Closes the message: the open blocks, `messageStop` and `metadata`. Throws when the stream was cut short. */
  finish(out: ModelStreamEvent[], metrics: StreamMetrics): void {
    if (this.stopReason === undefined) {
      throw endedEarly(this.started, cutShort, nothingSent)
    }
    // Items were opened, and so numbered, in insertion order.
    for (const item of this.items.values())
      out.push({ contentBlockStop: { contentBlockIndex: item.blockIndex } })
    this.items.clear()
    pushMessageEnd(out, this.stopReason, this.usage, metrics)
  }

  /** The open text or reasoning item at `outputIndex`, opened with its first delta. */
  private itemAt(outputIndex: number, kind: 'text' | 'reasoning', out: ModelStreamEvent[]): OpenItem {
    const item = this.items.get(outputIndex)
    if (item === undefined) return this.openItem(outputIndex, kind)
    if (item.kind === kind) return item
    // A new kind under the same index: the old item ended without its `done` (lenient servers).
    this.items.delete(outputIndex)
    out.push({ contentBlockStop: { contentBlockIndex: item.blockIndex } })
    return this.openItem(outputIndex, kind)
  }

  private openItem(outputIndex: number, kind: OpenItem['kind']): OpenItem {
    const item: OpenItem = { kind, blockIndex: this.nextBlockIndex++, partIndex: -1, argumentsSent: false }
    this.items.set(outputIndex, item)
    return item
  }

  private openCall(outputIndex: number): OpenItem {
    const item = this.items.get(outputIndex)
    if (item?.kind !== 'toolUse') throw notOpenCall(outputIndex)
    return item
  }
}

function notOpenCall(outputIndex: number): ModelError {
  return new ModelError(
    `The Responses stream sent function-call events for output ${outputIndex}, which is not an open function call (an unannounced or repeated call). Try again.`,
    { retryable: true },
  )
}

function toUsage(response: ResponsesResponse | null | undefined): Usage | undefined {
  const usage = response?.usage
  if (!usage) return undefined
  return usageOf(
    usage.input_tokens,
    usage.output_tokens,
    usage.total_tokens,
    usage.input_tokens_details?.cached_tokens,
  )
}
