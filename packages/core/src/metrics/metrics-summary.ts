import type { AgentMetrics } from './agent-metrics.js'

/** Renders metrics as a short, human-readable report (also `result.metrics.summary()`). */
export function renderMetricsSummary(metrics: AgentMetrics): string {
  const { usage } = metrics
  const lines = [
    `Cycles: ${metrics.cycleCount} (model calls: ${metrics.modelCallCount}, throttled retries: ${metrics.throttleCount}, context reductions: ${metrics.contextReductionCount})`,
    `Tokens: ${usage.totalTokens} total = ${usage.inputTokens} input + ${usage.outputTokens} output${cacheText(metrics)}`,
    `Model latency: ${ms(metrics.latencyMs)}${metrics.timeToFirstByteMs === undefined ? '' : `, first byte after ${ms(metrics.timeToFirstByteMs)}`}`,
    `Duration: ${ms(metrics.durationMs)}`,
  ]
  for (const entry of metrics.cycles) {
    lines.push(
      `  cycle ${entry.cycle}: ${entry.usage.inputTokens} in / ${entry.usage.outputTokens} out, ${ms(entry.latencyMs)}`,
    )
  }
  const tools = Object.entries(metrics.tools)
  if (tools.length > 0) lines.push('Tools:')
  for (const [name, tool] of tools) {
    const average = tool.callCount > 0 ? tool.totalDurationMs / tool.callCount : 0
    lines.push(
      `  ${name}: ${tool.callCount} call(s), ${tool.successCount} ok, ${tool.errorCount} failed, avg ${ms(average)}, max ${ms(tool.maxDurationMs)}`,
    )
  }
  return lines.join('\n')
}

function cacheText(metrics: AgentMetrics): string {
  const { cacheReadInputTokens: read, cacheWriteInputTokens: write } = metrics.usage
  if (read === undefined && write === undefined) return ''
  return ` (cache: ${read ?? 0} read, ${write ?? 0} written)`
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`
}
