import {
  type AgentEvent,
  type AgentMessageEvent,
  type AgentModelStreamEvent,
  type AgentResult,
  type ContentBlock,
  type Interrupt,
  type InterruptResponseContent,
  type JsonValue,
  messageText,
  type Usage,
} from '@agent/core'
import { addUsage, emptyUsage, isAsyncGenerator } from '@agent/core/provider'
import type { MultiAgent } from './multi-agent.js'
import type { MultiAgentNodeEvent, NodeEvent } from './multi-agent-events.js'
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
  /** Resumes an interrupted agent node with these responses, from where it stopped (no reset). */
  resume?: InterruptResponseContent[]
}

interface NodeOutcome {
  text: string
  result: NodeResult['result']
  usage?: Usage
  /** A nested run that did not complete. */
  failure?: { status: 'failed' | 'cancelled'; error: NodeResult['error'] }
  /** An agent run that ended with stop reason `interrupt`. */
  interrupts?: Interrupt[]
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
): AsyncGenerator<MultiAgentNodeEvent, NodeResult, undefined> {
  const startedAt = performance.now()
  const signal = new NodeSignal(options.signal, node.id, options.timeoutMs)
  if (options.resume === undefined) node.reset()
  const source = openNode(node, options.resume ?? prompt, signal.controller.signal, options)
  // A function may ignore its signal; it is then abandoned at its deadline or abort. Agents and nested
  // runs follow their signal, and their per-event path stays a plain `next()`.
  const next =
    node.type === 'function'
      ? () => abandonOnAbort(source.next(), signal.controller.signal)
      : () => source.next()
  const tally = new AgentEventTally()
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
      tally.observe(event)
      yield { type: 'multi_agent_node_stream', multi_agent_node_stream: true, node_id: node.id, event }
      if (options.stopAfter?.(event) === true) break
      step = await next()
    }
    finished = step.done === true
    outcome = step.done === true ? step.value : { text: tally.lastAssistantText, result: undefined }
  } catch (error) {
    finished = true
    failure = error
  } finally {
    signal.dispose()
    // Stopped early (a handoff, or the consumer left): end the executor's run, which aborts its model request.
    if (!finished) await source.return(undefined as never).catch(() => {})
  }
  const result = nodeResult(node, startedAt, tally, outcome, failure, signal)
  yield { type: 'multi_agent_node_stop', multi_agent_node_stop: true, node_id: node.id, node_result: result }
  return result
}

/** A node's own abort signal: the run's signal, or the node's deadline, whichever comes first. */
class NodeSignal {
  readonly controller = new AbortController()
  timedOut = false
  private readonly parent: AbortSignal
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  private readonly onAbort = () => this.controller.abort(this.parent.reason)

  constructor(parent: AbortSignal, nodeId: string, timeoutMs: number) {
    this.parent = parent
    if (parent.aborted) this.onAbort()
    else parent.addEventListener('abort', this.onAbort, { once: true })
    if (Number.isFinite(timeoutMs)) {
      this.timer = setTimeout(() => {
        this.timedOut = true
        this.controller.abort(new NodeTimeoutError(nodeId, timeoutMs))
      }, timeoutMs)
    }
  }

  dispose(): void {
    clearTimeout(this.timer)
    this.parent.removeEventListener('abort', this.onAbort)
  }
}

/** What an agent node's events say about it: tokens used, and its latest answer (for a node stopped early). */
class AgentEventTally {
  readonly usage = emptyUsage()
  lastAssistantText = ''

  observe(event: NodeEvent): void {
    if (event.type === 'model_stream') {
      const chunk = (event as AgentModelStreamEvent).event
      if ('metadata' in chunk && chunk.metadata.usage !== undefined)
        addUsage(this.usage, chunk.metadata.usage)
    } else if (event.type === 'message') {
      const message = (event as AgentMessageEvent).message
      if (message.role === 'assistant') this.lastAssistantText = messageText(message)
    }
  }
}

function nodeResult(
  node: MultiAgentNode,
  startedAt: number,
  tally: AgentEventTally,
  outcome: NodeOutcome | undefined,
  failure: unknown,
  signal: NodeSignal,
): NodeResult {
  const base = {
    nodeId: node.id,
    nodeType: node.type,
    usage: node.type === 'agent' ? tally.usage : (outcome?.usage ?? emptyUsage()),
    executionTimeMs: Math.round(performance.now() - startedAt),
  }
  if (outcome === undefined) {
    const cancelled = signal.controller.signal.aborted && !signal.timedOut
    const reason = signal.timedOut ? signal.controller.signal.reason : failure
    const status = cancelled ? 'cancelled' : 'failed'
    return { ...base, status, text: tally.lastAssistantText, error: errorInfo(reason) }
  }
  if (outcome.interrupts !== undefined) {
    const { text, result, interrupts } = outcome
    const error = { name: 'NodeInterrupted', message: `Node "${node.id}" is waiting for a person.` }
    return { ...base, status: 'interrupted', text, result, interrupts, error }
  }
  if (outcome.failure === undefined) {
    return { ...base, status: 'completed', text: outcome.text, result: outcome.result }
  }
  const { status, error } = outcome.failure
  return { ...base, status, text: outcome.text, result: outcome.result, error }
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
  prompt: ContentBlock[] | InterruptResponseContent[],
  signal: AbortSignal,
  options: NodeExecutionOptions,
): AsyncGenerator<NodeEvent, NodeOutcome, undefined> {
  switch (node.type) {
    case 'agent':
      return runAgent(node.executor as { stream: AgentStream }, prompt, signal)
    case 'function':
      return runFunction(node.executor as FunctionNode, {
        ...options.functionInput,
        prompt: prompt as ContentBlock[],
        signal,
      })
    default:
      return runMultiAgent(node.executor as MultiAgent, prompt as ContentBlock[], signal)
  }
}

type AgentStream = (
  prompt: ContentBlock[] | InterruptResponseContent[],
  options: { signal: AbortSignal },
) => AsyncGenerator<AgentEvent, AgentResult>

async function* runAgent(
  agent: { stream: AgentStream },
  prompt: ContentBlock[] | InterruptResponseContent[],
  signal: AbortSignal,
): AsyncGenerator<NodeEvent, NodeOutcome, undefined> {
  const result = yield* agent.stream(prompt, { signal })
  if (result.stopReason === 'interrupt') {
    return { text: String(result), result, interrupts: result.interrupts ?? [] }
  }
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
  const value: JsonValue = isAsyncGenerator<NodeEvent, JsonValue>(output) ? yield* output : await output
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
