import type { ToolResult } from '../types/messages.js'
import { addUsage, emptyUsage, type Usage } from '../types/usage.js'
import type { AgentMetrics, AgentMetricsWithSummary } from './agent-metrics.js'
import { renderMetricsSummary } from './metrics-summary.js'

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
