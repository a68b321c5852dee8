import {
  type AgentEvent,
  type AgentResult,
  addUsage,
  type ContentBlock,
  emptyUsage,
  type JsonValue,
  messageText,
  type Usage,
} from '@agent/core'
import type { MultiAgent } from './multi-agent.js'
import type { MultiAgentEvent, NodeEvent } from './multi-agent-events.js'
import type { MultiAgentResultBase } from './multi-agent-result.js'
import type { FunctionNode, FunctionNodeInput, MultiAgentNode } from './node.js'
import { errorInfo, type NodeResult } from './node-result.js'

export interface NodeExecutionOptions {
  /** The run's signal: aborting it cancels the node. */
  signal: AbortSignal
  /** The node's deadline; past it the node is stopped and fails with a `NodeTimeoutError`. */
  timeoutMs: number
  /** Given to function nodes. */
  functionInput: Omit<FunctionNodeInput, 'signal' | 'prompt'>
  /** Ends the node, as completed, right after it streams an event this returns true for (a Swarm handoff). */
  stopAfter?: (event: NodeEvent) => boolean
}

interface NodeOutcome {
  text: string
  result: NodeResult['result']
  usage?: Usage
  /** A nested run that did not complete. */
  failure?: { status: 'failed' | 'cancelled'; error: NodeResult['error'] }
}

/**
 * Runs one node once: `multi_agent_node_start`, its events as `multi_agent_node_stream`, then
 * `multi_agent_node_stop` with its `NodeResult`, which it also returns. It never throws: a failure,
 * the deadline or an abort is the result's status. Every node execution of Swarm and Graph goes through
 * here, so that what happens around a node (deadline, abort, usage, later pausing) lives in one place.
 */
export async function* executeNode(
  node: MultiAgentNode,
  prompt: ContentBlock[],
  options: NodeExecutionOptions,
): AsyncGenerator<MultiAgentEvent, NodeResult, undefined> {
  const startedAt = performance.now()
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal.reason)
  if (options.signal.aborted) onAbort()
  else options.signal.addEventListener('abort', onAbort, { once: true })
  let timedOut = false
  const timer = Number.isFinite(options.timeoutMs)
    ? setTimeout(() => {
        timedOut = true
        controller.abort(new NodeTimeoutError(node.id, options.timeoutMs))
      }, options.timeoutMs)
    : undefined

  node.reset()
  const source = openNode(node, prompt, controller.signal, options)
  // A function may ignore its signal; it is then abandoned at its deadline or abort. Agents and nested
  // runs follow their signal, and their per-event path stays a plain `next()`.
  const next =
    node.type === 'function' ? () => abandonOnAbort(source.next(), controller.signal) : () => source.next()
  const streamedUsage = emptyUsage()
  let lastAssistantText = ''
  let finished = false
  let outcome: NodeOutcome | undefined
  let failure: unknown
  try {
    yield {
      type: 'multi_agent_node_start',
      multi_agent_node_start: true,
      node_id: node.id,
      node_type: node.type,
    }
    let step = await next()
    while (!step.done) {
      const event = step.value
      if (event.type === 'model_stream') {
        const chunk = (event as AgentEvent & { type: 'model_stream' }).event
        if ('metadata' in chunk && chunk.metadata.usage !== undefined)
          addUsage(streamedUsage, chunk.metadata.usage)
      } else if (event.type === 'message') {
        const message = (event as AgentEvent & { type: 'message' }).message
        if (message.role === 'assistant') lastAssistantText = messageText(message)
      }
      yield { type: 'multi_agent_node_stream', multi_agent_node_stream: true, node_id: node.id, event }
      if (options.stopAfter?.(event) === true) break
      step = await next()
    }
    if (step.done) {
      finished = true
      outcome = step.value
    } else {
      outcome = { text: lastAssistantText, result: undefined }
    }
  } catch (error) {
    finished = true
    failure = error
  } finally {
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onAbort)
    // Stopped early (a handoff, or the consumer left): end the executor's run, which aborts its model request.
    if (!finished) await source.return(undefined as never).catch(() => {})
  }

  const usage = node.type === 'agent' ? streamedUsage : (outcome?.usage ?? emptyUsage())
  const base = {
    nodeId: node.id,
    nodeType: node.type,
    usage,
    executionTimeMs: Math.round(performance.now() - startedAt),
  }
  let result: NodeResult
  if (outcome !== undefined && outcome.failure === undefined) {
    result = { ...base, status: 'completed', text: outcome.text, result: outcome.result }
  } else if (outcome?.failure !== undefined) {
    const { status, error } = outcome.failure
    result = { ...base, status, text: outcome.text, result: outcome.result, error }
  } else {
    const cancelled = controller.signal.aborted && !timedOut
    const reason = timedOut ? controller.signal.reason : failure
    result = {
      ...base,
      status: cancelled ? 'cancelled' : 'failed',
      text: lastAssistantText,
      error: errorInfo(reason),
    }
  }
  yield { type: 'multi_agent_node_stop', multi_agent_node_stop: true, node_id: node.id, node_result: result }
  return result
}

/** Thrown into a node whose `nodeTimeoutMs` passed. */
export class NodeTimeoutError extends Error {
  override readonly name = 'NodeTimeoutError'
  constructor(nodeId: string, timeoutMs: number) {
    super(`Node "${nodeId}" did not finish within ${timeoutMs} ms.`)
  }
}

function openNode(
  node: MultiAgentNode,
  prompt: ContentBlock[],
  signal: AbortSignal,
  options: NodeExecutionOptions,
): AsyncGenerator<NodeEvent, NodeOutcome, undefined> {
  switch (node.type) {
    case 'agent':
      return runAgent(node.executor as { stream: AgentStream }, prompt, signal)
    case 'function':
      return runFunction(node.executor as FunctionNode, { ...options.functionInput, prompt, signal })
    default:
      return runMultiAgent(node.executor as MultiAgent, prompt, signal)
  }
}

type AgentStream = (
  prompt: ContentBlock[],
  options: { signal: AbortSignal },
) => AsyncGenerator<AgentEvent, AgentResult>

async function* runAgent(
  agent: { stream: AgentStream },
  prompt: ContentBlock[],
  signal: AbortSignal,
): AsyncGenerator<NodeEvent, NodeOutcome, undefined> {
  const result = yield* agent.stream(prompt, { signal })
  return { text: String(result), result }
}

async function* runMultiAgent(
  multiAgent: MultiAgent,
  prompt: ContentBlock[],
  signal: AbortSignal,
): AsyncGenerator<NodeEvent, NodeOutcome, undefined> {
  const result: MultiAgentResultBase = yield* multiAgent.stream(prompt, { signal })
  const outcome: NodeOutcome = {
    text: result.text,
    result: result as NodeResult['result'],
    usage: result.usage,
  }
  if (result.status !== 'completed') {
    outcome.failure = {
      status: result.status === 'cancelled' ? 'cancelled' : 'failed',
      error: result.error ?? {
        name: 'MultiAgentError',
        message: `The nested ${multiAgent.kind} ended with status ${result.status}.`,
      },
    }
  }
  return outcome
}

async function* runFunction(
  fn: FunctionNode,
  input: FunctionNodeInput,
): AsyncGenerator<NodeEvent, NodeOutcome, undefined> {
  const output = fn(input)
  const value: JsonValue = isAsyncGenerator(output) ? yield* output : await output
  return { text: typeof value === 'string' ? value : (JSON.stringify(value) ?? ''), result: value }
}

function abandonOnAbort<Value>(promise: Promise<Value>, signal: AbortSignal): Promise<Value> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<NodeEvent, JsonValue, undefined> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncGenerator)[Symbol.asyncIterator] === 'function' &&
    typeof (value as AsyncGenerator).next === 'function'
  )
}
