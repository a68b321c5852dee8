import type { AgentContext, Tool } from '../agent/agent-context.js'
import { AgentError } from '../errors/agent-error.js'
import { describeThrownValue } from '../errors/describe-thrown-value.js'
import type { AgentEvent } from '../events/agent-events.js'
import { askInterrupt, type InterruptSignal } from '../interrupt/interrupt.js'
import type { JsonValue } from '../types/json.js'
import type { ToolResult, ToolUse } from '../types/messages.js'
import { isAsyncGenerator } from './is-async-generator.js'
import { defaultMaxResultChars, limitToolResult } from './limit-tool-result.js'
import { isToolResultLike, toToolResultContent } from './tool.js'
import type { ToolRegistry } from './tool-registry.js'

export interface RunToolOptions {
  registry: ToolRegistry
  agent: AgentContext | undefined
  /** The run's signal; the tool's own signal also aborts on its timeout. */
  signal: AbortSignal
  defaultTimeoutMs: number
  /** Set when the tool input the model sent was not valid JSON. */
  invalidInput?: string
  /** Receives each value a streaming tool yields. */
  onStream?: (event: AgentEvent) => void
  /** Runs this tool instead of the registry's (a hook swapped it); `null`: no tool (a hook removed it). */
  tool?: Tool | null
  /** Responses to this run's interrupts, by id; absent outside a run (then `context.interrupt()` fails the call). */
  interruptResponses?: Readonly<Record<string, JsonValue>>
}

export function errorResult(toolUseId: string, message: string): ToolResult {
  return { toolUseId, status: 'error', content: [{ text: `Error: ${message}` }] }
}

/**
 * Runs one tool call to a result. Unknown tools, invalid input, thrown errors, timeouts and aborts all
 * become `status: 'error'` results the model can act on; it throws only the `InterruptSignal` of a tool
 * that called `context.interrupt()` in a run.
 */
export async function runTool(toolUse: ToolUse, options: RunToolOptions): Promise<ToolResult> {
  const { toolUseId, name } = toolUse
  const tool = options.tool === undefined ? options.registry.get(name) : (options.tool ?? undefined)
  if (tool === undefined) {
    const available = options.registry.names
    return errorResult(
      toolUseId,
      `Unknown tool "${name}". ${available.length > 0 ? `Available tools: ${available.join(', ')}.` : 'No tools are available.'}`,
    )
  }
  if (options.invalidInput !== undefined) return errorResult(toolUseId, options.invalidInput)
  if (options.signal.aborted)
    return errorResult(toolUseId, `Tool "${name}" was not run because the run was cancelled.`)

  let validation: Awaited<ReturnType<Tool['validate']>>
  try {
    validation = await tool.validate(toolUse.input)
  } catch (error) {
    return errorResult(
      toolUseId,
      `Could not validate the input of tool "${name}": ${describeThrownValue(error)}`,
    )
  }
  if (!validation.ok) {
    return errorResult(
      toolUseId,
      `Invalid input for tool "${name}": ${validation.message}. Fix the input and call it again.`,
    )
  }

  const timeoutMs = tool.timeoutMs ?? options.defaultTimeoutMs
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: (() => void) | undefined
  let stopped: StopSignal | undefined
  // Settles only when the run is aborted or the deadline passes; either way the tool's own signal aborts too.
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => {
      clearTimeout(timer)
      controller.abort(options.signal.reason)
      stopped = new StopSignal(`Tool "${name}" was cancelled because the run was cancelled.`)
      reject(stopped)
    }
    options.signal.addEventListener('abort', onAbort, { once: true })
    if (Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        options.signal.removeEventListener('abort', onAbort!)
        controller.abort(new Error('timeout'))
        stopped = new StopSignal(`Tool "${name}" timed out after ${timeoutMs} ms.`)
        reject(stopped)
      }, timeoutMs)
    }
  })
  stop.catch(() => {})

  let output: ReturnType<Tool['invoke']> | undefined
  const responses = options.interruptResponses
  let interrupted: InterruptSignal | undefined
  try {
    output = tool.invoke(validation.value, {
      signal: controller.signal,
      toolUse,
      agent: options.agent,
      interrupt: (interruptName, reason) => {
        if (responses === undefined) {
          throw new AgentError(
            `Tool "${name}" asked for a person ("${interruptName}"), which only an agent run can do.`,
          )
        }
        try {
          return askInterrupt(responses, toolUseId, interruptName, reason) as never
        } catch (signal) {
          interrupted = signal as InterruptSignal
          throw signal
        }
      },
    })
    let value: unknown
    if (isAsyncGenerator(output)) {
      while (true) {
        const step = await Promise.race([output.next(), stop])
        if (step.done) {
          value = step.value
          break
        }
        options.onStream?.({
          type: 'tool_stream',
          tool_stream_event: { tool_use: toolUse, data: step.value as JsonValue },
        })
      }
    } else {
      value = await Promise.race([output, stop])
    }
    const content = limitToolResult(toToolResultContent(value), tool.maxResultChars ?? defaultMaxResultChars)
    return { toolUseId, status: isToolResultLike(value) ? value.status : 'success', content }
  } catch (error) {
    // Compared by identity: `instanceof` on a thrown Proxy can throw.
    if (interrupted !== undefined && error === interrupted) throw error
    if (stopped !== undefined && error === stopped) {
      if (isAsyncGenerator(output)) output.return(undefined).catch(() => {})
      return errorResult(toolUseId, stopped.message)
    }
    return errorResult(toolUseId, `Tool "${name}" failed: ${describeThrownValue(error)}`)
  } finally {
    // A finished call needs no abort (building its reason costs more than the rest of the call): just unhook.
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onAbort!)
  }
}

class StopSignal extends Error {}
