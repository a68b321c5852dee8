import type { ToolResult } from '../types/messages.js'
import { addUsage, emptyUsage, type Usage } from '../types/usage.js'

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
}

/** What one invocation cost. Plain JSON. */
export interface AgentMetrics {
  cycleCount: number
  /** Usage summed over every model call of the invocation. */
  usage: Usage
  cycles: CycleMetrics[]
  tools: Record<string, ToolMetrics>
  /** Summed provider-reported model latency. */
  latencyMs: number
  /** Time to the first byte of the first model call. */
  timeToFirstByteMs?: number
  /** Wall time of the whole invocation. */
  durationMs: number
}

/** Collects `AgentMetrics` while an invocation runs. */
export class MetricsCollector {
  private readonly startedAt = performance.now()
  readonly metrics: AgentMetrics = {
    cycleCount: 0,
    usage: emptyUsage(),
    cycles: [],
    tools: {},
    latencyMs: 0,
    durationMs: 0,
  }

  startCycle(cycle: number): void {
    this.metrics.cycleCount = cycle
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
    })
    tool.callCount++
    if (result.status === 'success') tool.successCount++
    else tool.errorCount++
    tool.totalDurationMs += durationMs
  }

  finish(): AgentMetrics {
    this.metrics.durationMs = performance.now() - this.startedAt
    return this.metrics
  }
}
