import { ModelError, type ModelStreamEvent, type StopReason, type Usage } from '@agent/core'
import { fromProviderFailure } from './map-openai-error.js'

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

type OpenBlock = 'text' | 'reasoning' | 'toolUse' | undefined

/**
 * Turns Responses API stream events into Converse-shaped stream events, synchronously, one at a time.
 * Text and reasoning summaries stream as deltas; a function call starts with `contentBlockStart` when its
 * item is added and streams its argument deltas as they come.
 */
export class ResponsesStreamConverter {
  stopReason: StopReason | undefined
  usage: Usage | undefined

  private started = false
  private open: OpenBlock
  private blockIndex = -1
  /** `output_index` of the open block, and the summary part for reasoning. */
  private openOutputIndex = -1
  private openPartIndex = -1
  private toolArgumentsSent = false
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
        const outputIndex = event.output_index ?? 0
        if (this.open !== 'text' || this.openOutputIndex !== outputIndex)
          this.startBlock('text', outputIndex, out)
        out.push({ contentBlockDelta: { contentBlockIndex: this.blockIndex, delta: { text: event.delta } } })
        return
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        if (!event.delta) return
        const outputIndex = event.output_index ?? 0
        const partIndex = event.summary_index ?? event.content_index ?? 0
        let text = event.delta
        if (this.open !== 'reasoning' || this.openOutputIndex !== outputIndex) {
          this.startBlock('reasoning', outputIndex, out)
        } else if (this.openPartIndex !== partIndex) {
          // Summary parts of one reasoning item read as paragraphs of one block.
          text = `\n\n${text}`
        }
        this.openPartIndex = partIndex
        out.push({
          contentBlockDelta: { contentBlockIndex: this.blockIndex, delta: { reasoningContent: { text } } },
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
        this.startBlock('toolUse', event.output_index ?? 0, out)
        this.sawFunctionCall = true
        this.toolArgumentsSent = false
        out.push({
          contentBlockStart: {
            contentBlockIndex: this.blockIndex,
            start: { toolUse: { toolUseId: item.call_id, name: item.name } },
          },
        })
        return
      }
      case 'response.function_call_arguments.delta': {
        if (!event.delta) return
        this.expectOpenTool(event.output_index ?? 0)
        this.toolArgumentsSent = true
        out.push({
          contentBlockDelta: {
            contentBlockIndex: this.blockIndex,
            delta: { toolUse: { input: event.delta } },
          },
        })
        return
      }
      case 'response.output_item.done': {
        const outputIndex = event.output_index ?? 0
        if (event.item?.type === 'function_call') {
          this.expectOpenTool(outputIndex)
          // Some servers send the arguments only whole, at the end.
          const whole = event.item.arguments
          if (!this.toolArgumentsSent && whole) {
            out.push({
              contentBlockDelta: { contentBlockIndex: this.blockIndex, delta: { toolUse: { input: whole } } },
            })
          }
        }
        if (this.open !== undefined && this.openOutputIndex === outputIndex) this.closeBlock(out)
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

  /** Closes the message: the open block, `messageStop` and `metadata`. Throws when the stream was cut short. */
  finish(out: ModelStreamEvent[], metrics: { latencyMs: number; timeToFirstByteMs?: number }): void {
    if (this.stopReason === undefined) {
      throw new ModelError(
        this.started
          ? 'The OpenAI Responses stream ended before response.completed (the connection was probably cut). Try again.'
          : 'The OpenAI Responses stream ended without sending any event. Check that the server speaks the Responses API, then try again.',
        { retryable: true },
      )
    }
    this.closeBlock(out)
    out.push({ messageStop: { stopReason: this.stopReason } })
    out.push({ metadata: this.usage ? { usage: this.usage, metrics } : { metrics } })
  }

  private expectOpenTool(outputIndex: number): void {
    if (this.open !== 'toolUse' || this.openOutputIndex !== outputIndex) {
      throw new ModelError(
        `The Responses stream sent function-call arguments for output ${outputIndex}, which is not the open function call (interleaved or unannounced calls are not supported). Try again.`,
        { retryable: true },
      )
    }
  }

  private startBlock(
    kind: Exclude<OpenBlock, undefined>,
    outputIndex: number,
    out: ModelStreamEvent[],
  ): void {
    this.closeBlock(out)
    this.blockIndex++
    this.open = kind
    this.openOutputIndex = outputIndex
    this.openPartIndex = -1
  }

  private closeBlock(out: ModelStreamEvent[]): void {
    if (this.open === undefined) return
    out.push({ contentBlockStop: { contentBlockIndex: this.blockIndex } })
    this.open = undefined
  }
}

function toUsage(response: ResponsesResponse | null | undefined): Usage | undefined {
  const usage = response?.usage
  if (!usage) return undefined
  const inputTokens = usage.input_tokens ?? 0
  const outputTokens = usage.output_tokens ?? 0
  const result: Usage = {
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
  }
  const cached = usage.input_tokens_details?.cached_tokens
  if (cached) result.cacheReadInputTokens = cached
  return result
}
