import type { Agent } from '../agent/agent.js'
import type { AgentEvent } from '../events/agent-events.js'
import { errorResult, runTool } from '../tools/run-tool.js'
import type { ToolRegistry } from '../tools/tool-registry.js'
import type { ToolResult, ToolUse } from '../types/messages.js'

export interface ExecuteToolsOptions {
  registry: ToolRegistry
  agent: Agent
  signal: AbortSignal
  concurrency: number
  defaultTimeoutMs: number
  invalidToolInputs: ReadonlyMap<string, string>
  /** Filled in as tools finish, so that an interrupted turn can still answer every tool use. */
  results: Map<string, ToolResult>
  onToolFinished?: (toolUse: ToolUse, result: ToolResult, durationMs: number) => void
}

/**
 * Runs one turn's tool calls concurrently (up to `concurrency` at once). Yields their `tool_stream` and
 * `tool_result` events as they happen and returns the results in the order the model asked for them.
 */
export async function* executeTools(
  toolUses: readonly ToolUse[],
  options: ExecuteToolsOptions,
): AsyncGenerator<AgentEvent, ToolResult[]> {
  const pending: AgentEvent[] = []
  let wake: (() => void) | undefined
  const push = (event: AgentEvent) => {
    pending.push(event)
    wake?.()
  }
  const onAbort = () => wake?.()
  options.signal.addEventListener('abort', onAbort)

  let started = 0
  let running = 0
  let finished = 0
  const startMore = () => {
    while (running < options.concurrency && started < toolUses.length) {
      const toolUse = toolUses[started++]!
      running++
      const startedAt = performance.now()
      runTool(toolUse, {
        registry: options.registry,
        agent: options.agent,
        signal: options.signal,
        defaultTimeoutMs: options.defaultTimeoutMs,
        invalidInput: options.invalidToolInputs.get(toolUse.toolUseId),
        onStream: push,
      }).then((result) => {
        running--
        finished++
        if (options.signal.aborted) return
        options.results.set(toolUse.toolUseId, result)
        options.onToolFinished?.(toolUse, result, performance.now() - startedAt)
        push({ type: 'tool_result', tool_result: result })
        startMore()
      })
    }
  }

  try {
    startMore()
    while (finished < toolUses.length || pending.length > 0) {
      if (pending.length === 0) {
        if (options.signal.aborted) break
        await new Promise<void>((resolve) => {
          wake = resolve
        })
        wake = undefined
        continue
      }
      yield pending.shift()!
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort)
  }
  return toolUses.map(
    (toolUse) =>
      options.results.get(toolUse.toolUseId) ??
      errorResult(toolUse.toolUseId, `Tool "${toolUse.name}" was cancelled because the run was cancelled.`),
  )
}
