import type { ModelStreamEvent } from '@agent/core'
import type { ConverseResponse } from '@aws-sdk/client-bedrock-runtime'
import { messageStopEvent, metadataEvent } from './map-stream-event.js'
import { toBase64, toPlainJson } from './plain-json.js'

/**
 * The events a ConverseStream would have sent for this Converse answer: messageStart, then per block
 * (start,) delta(s), stop, then messageStop and metadata. The agent cannot tell the two apart.
 */
export function converseResponseEvents(
  response: ConverseResponse,
  timeToFirstByteMs: number,
): ModelStreamEvent[] {
  const message = response.output?.message
  const events: ModelStreamEvent[] = [
    { messageStart: { role: message?.role === 'user' ? 'user' : 'assistant' } },
  ]
  let contentBlockIndex = 0
  for (const block of message?.content ?? []) {
    const deltas: ModelStreamEvent[] = []
    if (block.text !== undefined) {
      deltas.push({ contentBlockDelta: { contentBlockIndex, delta: { text: block.text } } })
    } else if (block.toolUse !== undefined) {
      const { toolUseId, name, input } = block.toolUse
      events.push({
        contentBlockStart: {
          contentBlockIndex,
          start: { toolUse: { toolUseId: toolUseId ?? '', name: name ?? '' } },
        },
      })
      deltas.push({
        contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: JSON.stringify(input ?? {}) } } },
      })
    } else if (block.reasoningContent !== undefined) {
      const { reasoningText, redactedContent } = block.reasoningContent
      if (reasoningText !== undefined) {
        deltas.push({
          contentBlockDelta: {
            contentBlockIndex,
            delta: { reasoningContent: { text: reasoningText.text ?? '' } },
          },
        })
        if (reasoningText.signature !== undefined) {
          deltas.push({
            contentBlockDelta: {
              contentBlockIndex,
              delta: { reasoningContent: { signature: reasoningText.signature } },
            },
          })
        }
      } else if (redactedContent !== undefined) {
        deltas.push({
          contentBlockDelta: {
            contentBlockIndex,
            delta: { reasoningContent: { redactedContent: toBase64(redactedContent) } },
          },
        })
      }
    } else if (block.citationsContent !== undefined) {
      // A stream sends the cited text as text deltas and each citation as a citation delta.
      for (const part of block.citationsContent.content ?? []) {
        if (part.text !== undefined)
          deltas.push({ contentBlockDelta: { contentBlockIndex, delta: { text: part.text } } })
      }
      for (const citation of block.citationsContent.citations ?? []) {
        deltas.push({ contentBlockDelta: { contentBlockIndex, delta: { citation: toPlainJson(citation) } } })
      }
    } else {
      // Images and server-side tool results have no delta in the contract.
      continue
    }
    events.push(...deltas, { contentBlockStop: { contentBlockIndex } })
    contentBlockIndex++
  }
  events.push(messageStopEvent(response.stopReason, response.additionalModelResponseFields))
  events.push(metadataEvent(response.usage, response.metrics?.latencyMs, timeToFirstByteMs, response.trace))
  return events
}
