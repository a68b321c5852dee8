import type { JsonValue, ModelStreamEvent, Usage } from '@agent/core'
import type { ConverseStreamOutput, TokenUsage } from '@aws-sdk/client-bedrock-runtime'
import { toBase64, toPlainJson } from './plain-json.js'
import { mapStopReason } from './stop-reason.js'

/**
 * One ConverseStream event as a plain `ModelStreamEvent` (no SDK instances, blobs as base64), or
 * `undefined` for events the contract has no place for (image and server-tool-result deltas).
 * Exception members never reach here: the SDK throws them.
 */
export function mapStreamEvent(
  event: ConverseStreamOutput,
  timeToFirstByteMs: number,
): ModelStreamEvent | undefined {
  if (event.contentBlockDelta !== undefined) {
    const contentBlockIndex = indexOf(event.contentBlockDelta.contentBlockIndex)
    const delta = event.contentBlockDelta.delta
    if (delta === undefined) return undefined
    if (delta.text !== undefined)
      return { contentBlockDelta: { contentBlockIndex, delta: { text: delta.text } } }
    if (delta.toolUse !== undefined) {
      return {
        contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: delta.toolUse.input ?? '' } } },
      }
    }
    const reasoning = delta.reasoningContent
    if (reasoning !== undefined) {
      if (reasoning.text !== undefined) {
        return {
          contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { text: reasoning.text } } },
        }
      }
      if (reasoning.signature !== undefined) {
        return {
          contentBlockDelta: {
            contentBlockIndex,
            delta: { reasoningContent: { signature: reasoning.signature } },
          },
        }
      }
      if (reasoning.redactedContent !== undefined) {
        return {
          contentBlockDelta: {
            contentBlockIndex,
            delta: { reasoningContent: { redactedContent: toBase64(reasoning.redactedContent) } },
          },
        }
      }
      return undefined
    }
    if (delta.citation !== undefined) {
      return { contentBlockDelta: { contentBlockIndex, delta: { citation: toPlainJson(delta.citation) } } }
    }
    return undefined
  }
  if (event.contentBlockStart !== undefined) {
    const contentBlockIndex = indexOf(event.contentBlockStart.contentBlockIndex)
    const start = event.contentBlockStart.start
    const toolUse = start?.toolUse
    if (toolUse !== undefined) {
      return {
        contentBlockStart: {
          contentBlockIndex,
          start: { toolUse: { toolUseId: toolUse.toolUseId ?? '', name: toolUse.name ?? '' } },
        },
      }
    }
    return { contentBlockStart: { contentBlockIndex } }
  }
  if (event.contentBlockStop !== undefined) {
    return { contentBlockStop: { contentBlockIndex: indexOf(event.contentBlockStop.contentBlockIndex) } }
  }
  if (event.messageStart !== undefined)
    return { messageStart: { role: event.messageStart.role === 'user' ? 'user' : 'assistant' } }
  if (event.messageStop !== undefined) {
    const { stopReason, additionalModelResponseFields } = event.messageStop
    return messageStopEvent(stopReason, additionalModelResponseFields)
  }
  if (event.metadata !== undefined) {
    const { usage, metrics, trace } = event.metadata
    return metadataEvent(usage, metrics?.latencyMs, timeToFirstByteMs, trace)
  }
  return undefined
}

/** Bedrock always numbers its blocks; a missing number becomes -1, which the agent loop rejects as malformed. */
function indexOf(contentBlockIndex: number | undefined): number {
  return contentBlockIndex ?? -1
}

export function messageStopEvent(
  stopReason: string | undefined,
  additionalModelResponseFields: unknown,
): ModelStreamEvent {
  return {
    messageStop: {
      stopReason: mapStopReason(stopReason),
      ...(additionalModelResponseFields !== undefined && {
        additionalModelResponseFields: toPlainJson(additionalModelResponseFields),
      }),
    },
  }
}

export function metadataEvent(
  usage: TokenUsage | undefined,
  latencyMs: number | undefined,
  timeToFirstByteMs: number,
  trace: unknown,
): ModelStreamEvent {
  const metadata: {
    usage?: Usage
    metrics: { latencyMs: number; timeToFirstByteMs: number }
    trace?: JsonValue
  } = {
    metrics: { latencyMs: latencyMs ?? 0, timeToFirstByteMs },
  }
  if (usage !== undefined) metadata.usage = mapUsage(usage)
  if (trace !== undefined) metadata.trace = toPlainJson(trace)
  return { metadata }
}

function mapUsage(usage: TokenUsage): Usage {
  const mapped: Usage = {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    totalTokens: usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
  }
  if (usage.cacheReadInputTokens !== undefined) mapped.cacheReadInputTokens = usage.cacheReadInputTokens
  if (usage.cacheWriteInputTokens !== undefined) mapped.cacheWriteInputTokens = usage.cacheWriteInputTokens
  return mapped
}
