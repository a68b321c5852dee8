import type { ToolResult } from '../types/messages.js'
import { addUsage, emptyUsage, type Usage } from '../types/usage.js'
import { renderMetricsSummary } from './metrics-summary.js'

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

/** Collects `AgentMetrics` while an invocation runs. */
export class MetricsCollector {
  private readonly startedAt = performance.now()
  readonly metrics: AgentMetrics = {
    cycleCount: 0,
    usage: emptyUsage(),
    cycles: [],
    tools: {},
    modelCallCount: 0,
    throttleCount: 0,
    contextReductionCount: 0,
    latencyMs: 0,
    durationMs: 0,
  }

  startCycle(cycle: number): void {
    this.metrics.cycleCount = cycle
  }

  startModelCall(): void {
    this.metrics.modelCallCount++
  }

  recordThrottle(): void {
    this.metrics.throttleCount++
  }

  recordContextReduction(): void {
    this.metrics.contextReductionCount++
  }

  endModelCall(
    cycle: number,
    usage: Usage | undefined,
    latencyMs: number | undefined,
    timeToFirstByteMs?: number,
  ): void {
    const cycleUsage = usage ?? emptyUsage()
    addUsage(this.metrics.usage, cycleUsage)
    this.metrics.latencyMs += latencyMs ?? 0
    if (this.metrics.timeToFirstByteMs === undefined && timeToFirstByteMs !== undefined) {
      this.metrics.timeToFirstByteMs = timeToFirstByteMs
    }
    this.metrics.cycles.push({
      cycle,
      usage: { ...cycleUsage },
      latencyMs: latencyMs ?? 0,
      ...(timeToFirstByteMs !== undefined && { timeToFirstByteMs }),
    })
  }

  recordTool(name: string, result: ToolResult, durationMs: number): void {
    const tool = (this.metrics.tools[name] ??= {
      callCount: 0,
      successCount: 0,
      errorCount: 0,
      totalDurationMs: 0,
      maxDurationMs: 0,
    })
    tool.callCount++
    if (result.status === 'success') tool.successCount++
    else tool.errorCount++
    tool.totalDurationMs += durationMs
    tool.maxDurationMs = Math.max(tool.maxDurationMs, durationMs)
  }

  get usage(): Usage {
    return this.metrics.usage
  }

  finish(): AgentMetricsWithSummary {
    this.metrics.durationMs = performance.now() - this.startedAt
    const metrics = this.metrics
    Object.defineProperty(metrics, 'summary', {
      value: () => renderMetricsSummary(metrics),
      enumerable: false,
      configurable: true,
    })
    return metrics as AgentMetricsWithSummary
  }
}
