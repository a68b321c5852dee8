import type { Usage } from '../types/usage.js'

export interface CycleMetrics {
  cycle: number
  usage: Usage
  latencyMs: number
  timeToFirstByteMs?: number
}

export interface ToolMetrics {
  callCount: number
  successCount: number
  errorCount: number
  totalDurationMs: number
  /** The longest single call. */
  maxDurationMs: number
}

/** What one invocation cost. Plain JSON (the `summary()` method is not enumerable). */
export interface AgentMetrics {
  cycleCount: number
  /** Usage summed over every model call of the invocation. */
  usage: Usage
  /** One entry per completed model call (a retried call has several for one cycle). */
  cycles: CycleMetrics[]
  tools: Record<string, ToolMetrics>
  /** Model calls, the failed and retried ones included. */
  modelCallCount: number
  /** Retries after throttling. */
  throttleCount: number
  /** Times the conversation was reduced after a context window overflow. */
  contextReductionCount: number
  /** Summed provider-reported model latency. */
  latencyMs: number
  /** Time to the first byte of the first model call. */
  timeToFirstByteMs?: number
  /** Wall time of the whole invocation. */
  durationMs: number
}

/** `result.metrics`: the data, and a `summary()` that renders it as text. */
export type AgentMetricsWithSummary = AgentMetrics & { summary(): string }
