import type { ModelStreamEvent, StopReason, Usage } from '@agent/core'
import { expect } from 'vitest'

/** What a fixture's assistant message holds, block by block, with the full text of each. */
export type ExpectedBlock =
  | { text: string }
  | { reasoning: string }
  | { toolUse: { toolUseId: string; name: string; input: string } }

/** A block's pieces as the wire carried them (empty pieces dropped), checked to add up to the expected text. */
export type PiecesOf = (block: ExpectedBlock, blockNumber: number) => string[]

/** Metrics vary run to run; their presence and type are what the contract fixes. */
export const anyMetrics = { latencyMs: expect.any(Number), timeToFirstByteMs: expect.any(Number) }

/**
 * The whole `ModelStreamEvent` sequence a provider must produce for this message. With `closes: 'at-end'`
 * (Chat Completions, whose tool calls may interleave) tool blocks and the last block stop just before
 * `messageStop`; otherwise each block stops before the next starts.
 */
export function expectedEvents(
  blocks: readonly ExpectedBlock[],
  stopReason: StopReason,
  usage: Usage | undefined,
  piecesOf: PiecesOf,
  closes: 'in-turn' | 'at-end' = 'in-turn',
): ModelStreamEvent[] {
  const events: ModelStreamEvent[] = [{ messageStart: { role: 'assistant' } }]
  const stopsAtEnd: ModelStreamEvent[] = []
  blocks.forEach((block, contentBlockIndex) => {
    const pieces = piecesOf(block, contentBlockIndex)
    if ('text' in block) {
      expect(pieces.join('')).toEqual(block.text)
      for (const text of pieces) events.push({ contentBlockDelta: { contentBlockIndex, delta: { text } } })
    } else if ('reasoning' in block) {
      expect(pieces.join('')).toEqual(block.reasoning)
      for (const text of pieces) {
        events.push({ contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { text } } } })
      }
    } else {
      expect(pieces.join('')).toEqual(block.toolUse.input)
      const { toolUseId, name } = block.toolUse
      events.push({ contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } } })
      for (const input of pieces) {
        events.push({ contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input } } } })
      }
    }
    const deferred = closes === 'at-end' && ('toolUse' in block || contentBlockIndex === blocks.length - 1)
    ;(deferred ? stopsAtEnd : events).push({ contentBlockStop: { contentBlockIndex } })
  })
  events.push(...stopsAtEnd)
  events.push({ messageStop: { stopReason } })
  events.push({ metadata: usage === undefined ? { metrics: anyMetrics } : { usage, metrics: anyMetrics } })
  return events
}
