import { ModelError, type ModelStreamEvent, type StopReason, type Usage } from '@agent/core'
import type { StreamMetrics } from '@agent/core/provider'

/**
 * The error for a stream that ended before the model said it was done: cut mid-answer when it had
 * started (`cut`), or not the expected protocol at all when nothing came (`empty`).
 */
export function endedEarly(started: boolean, cut: string, empty: string): ModelError {
  return new ModelError(started ? cut : empty, { retryable: true })
}

/** Appends the events that end every message: `messageStop`, then `metadata` with usage and timings. */
export function pushMessageEnd(
  out: ModelStreamEvent[],
  stopReason: StopReason,
  usage: Usage | undefined,
  metrics: StreamMetrics,
): void {
  out.push({ messageStop: { stopReason } })
  out.push({ metadata: usage ? { usage, metrics } : { metrics } })
}

/** Usage from either API's token counts (both omit fields, or send null, depending on the server). */
export function usageOf(
  input: number | null | undefined,
  output: number | null | undefined,
  total: number | null | undefined,
  cached: number | null | undefined,
): Usage {
  const inputTokens = input ?? 0
  const outputTokens = output ?? 0
  const usage: Usage = { inputTokens, outputTokens, totalTokens: total ?? inputTokens + outputTokens }
  if (cached) usage.cacheReadInputTokens = cached
  return usage
}
