import type { AgentContext } from '../agent/agent-context.js'
import type { AgentEvent } from '../events/agent-events.js'
import { AfterToolCallEvent, BeforeToolCallEvent } from '../hooks/hook-events.js'
import type { HookRegistry } from '../hooks/hook-registry.js'
import { type Interrupt, InterruptSignal } from '../interrupt/interrupt.js'
import { errorResult, runTool } from '../tools/run-tool.js'
import type { ToolRegistry } from '../tools/tool-registry.js'
import type { JsonValue } from '../types/json.js'
import type { ToolResult, ToolUse } from '../types/messages.js'

export interface ExecuteToolsOptions {
  registry: ToolRegistry
  agent: AgentContext
  signal: AbortSignal
  concurrency: number
  defaultTimeoutMs: number
  invalidToolInputs: ReadonlyMap<string, string>
  /** Filled in as tools finish, so that an interrupted turn can still answer every tool use. */
  results: Map<string, ToolResult>
  onToolFinished?: (toolUse: ToolUse, result: ToolResult, durationMs: number) => void
  /** BeforeToolCall / AfterToolCall hooks; a hook that throws ends the turn with its error. */
  hooks?: HookRegistry
  /** Responses to the run's interrupts, by id (empty on a first run). */
  interruptResponses: Readonly<Record<string, JsonValue>>
  /** Filled in with the interrupts raised; those tool uses get no result. */
  interrupts: Interrupt[]
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
  let failure: { error: unknown } | undefined

  let started = 0
  let running = 0
  let finished = 0
  const startMore = () => {
    while (running < options.concurrency && started < toolUses.length) {
      const toolUse = toolUses[started++]!
      running++
      const startedAt = performance.now()
      runHookedTool(toolUse, options, push).then(
        (result) => {
          running--
          finished++
          if (options.signal.aborted || failure !== undefined) return
          if (InterruptSignal.isInstance(result)) {
            options.interrupts.push(result.interrupt)
            push({ type: 'interrupt', interrupt: result.interrupt })
            startMore()
            return
          }
          options.results.set(toolUse.toolUseId, result)
          options.onToolFinished?.(toolUse, result, performance.now() - startedAt)
          push({ type: 'tool_result', tool_result: result })
          startMore()
        },
        (error: unknown) => {
          running--
          finished++
          failure ??= { error }
          wake?.()
        },
      )
    }
  }

  try {
    startMore()
    while (finished < toolUses.length || pending.length > 0) {
      if (failure !== undefined) throw failure.error
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
  if (failure !== undefined) throw failure.error
  return toolUses.map(
    (toolUse) =>
      options.results.get(toolUse.toolUseId) ??
      errorResult(toolUse.toolUseId, `Tool "${toolUse.name}" was cancelled because the run was cancelled.`),
  )
}

/**
 * Runs one tool call between its BeforeToolCall and AfterToolCall hooks. Resolves to the interrupt when a
 * hook or the tool asked a person; rejects only when a hook throws.
 */
async function runHookedTool(
  toolUse: ToolUse,
  options: ExecuteToolsOptions,
  onStream: (event: AgentEvent) => void,
): Promise<ToolResult | InterruptSignal> {
  try {
    return await runHookedToolToResult(toolUse, options, onStream)
  } catch (error) {
    if (InterruptSignal.isInstance(error)) return error
    throw error
  }
}

async function runHookedToolToResult(
  toolUse: ToolUse,
  options: ExecuteToolsOptions,
  onStream: (event: AgentEvent) => void,
): Promise<ToolResult> {
  const hooks = options.hooks
  const common = {
    registry: options.registry,
    agent: options.agent,
    signal: options.signal,
    defaultTimeoutMs: options.defaultTimeoutMs,
    invalidInput: options.invalidToolInputs.get(toolUse.toolUseId),
    onStream,
    interruptResponses: options.interruptResponses,
  }
  if (hooks === undefined || (!hooks.has(BeforeToolCallEvent) && !hooks.has(AfterToolCallEvent))) {
    return runTool(toolUse, common)
  }
  const before = await hooks.invoke(
    new BeforeToolCallEvent(options.agent, {
      toolUse: { ...toolUse, input: structuredClone(toolUse.input) },
      tool: options.registry.get(toolUse.name),
      interruptResponses: options.interruptResponses,
    }),
  )
  const { toolUseId } = toolUse
  const effectiveToolUse = { ...before.toolUse, toolUseId }
  const cancelled = before.cancel !== false
  let result: ToolResult
  if (cancelled) {
    const reason = typeof before.cancel === 'string' ? before.cancel : 'a hook cancelled this tool call'
    result = errorResult(toolUseId, `Tool "${toolUse.name}" was not run: ${reason}`)
  } else if (before.tool === undefined) {
    result = await runTool(effectiveToolUse, { ...common, tool: null })
  } else {
    result = await runTool(effectiveToolUse, { ...common, tool: before.tool })
  }
  const after = await hooks.invoke(
    new AfterToolCallEvent(options.agent, {
      toolUse: effectiveToolUse,
      tool: before.tool,
      result,
      cancelled,
    }),
  )
  return { ...after.result, toolUseId }
}
