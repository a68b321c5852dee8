export interface Usage {
  inputTokens: number
  outputTokens: number
  totalTokens: number
  cacheReadInputTokens?: number
  cacheWriteInputTokens?: number
}

export interface Metrics {
  latencyMs: number
  timeToFirstByteMs?: number
}

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
}

/** Adds `addition` into `total` in place. */
export function addUsage(total: Usage, addition: Usage): void {
  total.inputTokens += addition.inputTokens
  total.outputTokens += addition.outputTokens
  total.totalTokens += addition.totalTokens
  if (addition.cacheReadInputTokens !== undefined) {
    total.cacheReadInputTokens = (total.cacheReadInputTokens ?? 0) + addition.cacheReadInputTokens
  }
  if (addition.cacheWriteInputTokens !== undefined) {
    total.cacheWriteInputTokens = (total.cacheWriteInputTokens ?? 0) + addition.cacheWriteInputTokens
  }
}
