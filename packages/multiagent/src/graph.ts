import {
  ConcurrencyError,
  type ContentBlock,
  InterruptError,
  type InterruptResponseContent,
} from '@agent/core'
import { emptyUsage } from '@agent/core/provider'
import { executeNode } from './execute-node.js'
import type { GraphResult } from './graph-result.js'
import type { GraphEdge, GraphState } from './graph-state.js'
import {
  drain,
  type MultiAgent,
  type MultiAgentPrompt,
  type MultiAgentStreamOptions,
  toContent,
} from './multi-agent.js'
import type { MultiAgentEvent, MultiAgentNodeEvent } from './multi-agent-events.js'
import type { MultiAgentStatus } from './multi-agent-result.js'
import { summarizeNodes, withToString } from './multi-agent-result.js'
import type { MultiAgentNode } from './node.js'
import { type ErrorInfo, errorInfo, type NodeResult } from './node-result.js'
import { isResumePrompt } from './resume-prompt.js'
import { RunLimits } from './run-limits.js'
import { StreamMerger } from './stream-merger.js'

/** A built graph, as `GraphBuilder.build()` checked it. */
export interface GraphDefinition {
  nodes: ReadonlyMap<string, MultiAgentNode>
  edges: readonly GraphEdge[]
  entryPoints: readonly string[]
  maxNodeExecutions: number
  executionTimeoutMs: number
  nodeTimeoutMs: number
}

interface NodeLinks {
  incoming: GraphEdge[]
  outgoing: GraphEdge[]
  /** Incoming edges that close a cycle (their source is reachable from this node). */
  back: Set<GraphEdge>
}

/**
 * Runs nodes in dependency order: a node starts when every edge into it (other than a cycle's back edge)
 * has been taken since it last ran, or when one of its back edges is taken; independent branches run at
 * once. When nothing is running, a node some of whose edges were taken runs with what it has (a join after
 * branches that a condition switched off). A failed node stops new nodes from starting; the running ones finish.
 */
export class Graph implements MultiAgent<GraphResult> {
  readonly kind = 'graph'
  private readonly links = new Map<string, NodeLinks>()
  private running = false
  /** A run stopped by interrupts, waiting for `interruptResponse` blocks. */
  private paused: GraphRun | undefined

  readonly definition: GraphDefinition

  constructor(definition: GraphDefinition) {
    this.definition = definition
    for (const id of definition.nodes.keys())
      this.links.set(id, { incoming: [], outgoing: [], back: new Set() })
    for (const edge of definition.edges) {
      this.links.get(edge.from)!.outgoing.push(edge)
      this.links.get(edge.to)!.incoming.push(edge)
    }
    for (const edge of definition.edges) {
      if (reaches(this.links, edge.to, edge.from)) this.links.get(edge.to)!.back.add(edge)
    }
  }

  /** True when some edge closes a cycle. */
  get hasCycle(): boolean {
    for (const links of this.links.values()) if (links.back.size > 0) return true
    return false
  }

  get nodeIds(): string[] {
    return [...this.definition.nodes.keys()]
  }

  /**
   * Runs the graph on a task, or, given `interruptResponse` blocks, resumes the run that interrupts paused:
   * the interrupted nodes continue where they stopped, and the graph goes on from there.
   */
  async *stream(
    prompt: MultiAgentPrompt | InterruptResponseContent[],
    options: MultiAgentStreamOptions = {},
  ): AsyncGenerator<MultiAgentEvent<GraphResult>, GraphResult, undefined> {
    if (this.running) {
      throw new ConcurrencyError(
        'This graph is already running; wait for its run to end, or build another graph.',
      )
    }
    const resume = isResumePrompt(prompt) ? prompt : undefined
    if (resume !== undefined && this.paused === undefined) {
      throw new InterruptError('Nothing to resume: this graph has no run paused by an interrupt.')
    }
    const run =
      resume === undefined
        ? new GraphRun(this.definition, this.links, prompt as MultiAgentPrompt, options.signal)
        : this.paused!.resumed(resume, options.signal)
    this.running = true
    this.paused = undefined
    try {
      const result = yield* run.execute(resume !== undefined)
      if (result.status === 'interrupted') this.paused = run
      return result
    } finally {
      this.running = false
    }
  }

  invoke(
    prompt: MultiAgentPrompt | InterruptResponseContent[],
    options?: MultiAgentStreamOptions,
  ): Promise<GraphResult> {
    return drain(this.stream(prompt, options))
  }
}

/** The state of one run: which edges were taken, which nodes run, what finished. */
class GraphRun {
  private limits: RunLimits
  /** Nodes stopped by an interrupt, by id, with the responses that resume them once given. */
  private readonly interrupted = new Map<string, NodeResult>()
  private resumeResponses = new Map<string, InterruptResponseContent[]>()
  private readonly taken = new Set<GraphEdge>()
  private readonly history: NodeResult[] = []
  private readonly results: Record<string, NodeResult> = {}
  private readonly active = new Set<string>()
  private readonly merger = new StreamMerger<string, MultiAgentNodeEvent, NodeResult>()
  private readonly endTexts: string[] = []
  private executionCount = 0
  private status: MultiAgentStatus | undefined
  private error: ErrorInfo | undefined

  private readonly definition: GraphDefinition
  private readonly links: ReadonlyMap<string, NodeLinks>
  private readonly task: MultiAgentPrompt

  constructor(
    definition: GraphDefinition,
    links: ReadonlyMap<string, NodeLinks>,
    task: MultiAgentPrompt,
    signal: AbortSignal | undefined,
  ) {
    this.definition = definition
    this.links = links
    this.task = task
    this.limits = new RunLimits(signal, definition.executionTimeoutMs)
  }

  /** This paused run, going on with `responses`: each is given to the interrupted node that asked for it. */
  resumed(responses: InterruptResponseContent[], signal: AbortSignal | undefined): this {
    const byNode = new Map<string, InterruptResponseContent[]>()
    for (const response of responses) {
      const { interruptId } = response.interruptResponse
      const owner = [...this.interrupted.values()].find((result) =>
        result.interrupts?.some((interrupt) => interrupt.id === interruptId),
      )
      if (owner === undefined) {
        throw new InterruptError(`No node of this graph is waiting for interrupt "${interruptId}".`)
      }
      byNode.set(owner.nodeId, [...(byNode.get(owner.nodeId) ?? []), response])
    }
    this.limits = new RunLimits(signal, this.definition.executionTimeoutMs)
    this.resumeResponses = byNode
    this.status = undefined
    this.error = undefined
    return this
  }

  async *execute(resuming = false): AsyncGenerator<MultiAgentEvent<GraphResult>, GraphResult, undefined> {
    let completed = false
    try {
      if (resuming) this.resumeNodes()
      else for (const id of this.definition.entryPoints) this.start(id)
      while (this.merger.size > 0) {
        const item = await this.merger.take()
        if (item.step !== undefined && item.step.done !== true) {
          yield item.step.value
          continue
        }
        this.active.delete(item.key)
        // executeNode never throws; a throw here is a bug, reported as that node's failure.
        const result = item.step?.value ?? this.failedResult(item.key, item.error)
        await this.finish(result)
        if (this.merger.size === 0 && this.status === undefined) this.startPartialJoins()
      }
      const result = this.result()
      completed = true
      yield { type: 'multi_agent_result', multi_agent_result: true, result }
      return result
    } finally {
      this.limits.dispose()
      if (!completed) {
        // The consumer stopped reading (or a bug threw): stop every node and wait for them to end.
        this.limits.controller.abort(new Error('The graph run was stopped.'))
        await this.merger.close()
      }
    }
  }

  /**
   * Resumes the interrupted nodes that got responses. Nodes still unanswered keep the graph paused: the resumed
   * ones finish, and nothing new starts until a later resume answers the rest.
   */
  private resumeNodes(): void {
    for (const [id, responses] of this.resumeResponses) {
      this.interrupted.delete(id)
      const index = this.history.findIndex(
        (result) => result.nodeId === id && result.status === 'interrupted',
      )
      if (index >= 0) this.history.splice(index, 1)
      delete this.results[id]
      this.start(id, responses)
    }
    this.resumeResponses = new Map()
    const [waiting] = this.interrupted.keys()
    if (waiting !== undefined) {
      this.stop('interrupted', {
        name: 'NodeInterrupted',
        message: `Node "${waiting}" is still waiting for a person; resume the graph with its interruptResponse blocks.`,
      })
      return
    }
    for (const id of this.links.keys()) if (this.isReady(id)) this.start(id)
  }

  private start(id: string, resume?: InterruptResponseContent[]): void {
    if (this.status !== undefined || this.active.has(id)) return
    if (this.executionCount >= this.definition.maxNodeExecutions) {
      this.stop('max_node_executions', {
        name: 'MaxNodeExecutionsError',
        message: `The graph reached its limit of ${this.definition.maxNodeExecutions} node executions.`,
      })
      return
    }
    const links = this.links.get(id)!
    const inputs = links.incoming.filter((edge) => this.taken.has(edge)).map((edge) => edge.from)
    for (const edge of links.incoming) this.taken.delete(edge)
    this.executionCount++
    this.active.add(id)
    const node = this.definition.nodes.get(id)!
    this.merger.add(
      id,
      executeNode(node, this.prompt(inputs), {
        signal: this.limits.controller.signal,
        timeoutMs: this.definition.nodeTimeoutMs,
        functionInput: { task: this.task, results: this.results },
        ...(resume !== undefined && { resume }),
      }),
    )
  }

  private async finish(result: NodeResult): Promise<void> {
    this.history.push(result)
    this.results[result.nodeId] = result
    if (result.status === 'interrupted') {
      // No new node starts; those running finish, and `stream(responses)` resumes this one where it stopped.
      this.interrupted.set(result.nodeId, result)
      this.stop('interrupted', {
        name: 'NodeInterrupted',
        message: `Node "${result.nodeId}" is waiting for a person; resume the graph with interruptResponse blocks.`,
      })
      return
    }
    if (result.status !== 'completed') {
      const limitStatus = this.limits.status()
      if (limitStatus !== undefined) this.stop(limitStatus, this.limits.error())
      else this.stop(result.error?.name === 'NodeTimeoutError' ? 'timeout' : 'failed', result.error)
      return
    }
    // While paused by an interrupt, finished nodes still take their edges, for the resume to follow.
    if (this.status !== undefined && this.status !== 'interrupted') return
    const links = this.links.get(result.nodeId)!
    let tookAny = false
    for (const edge of links.outgoing) {
      if (edge.condition === undefined || (await edge.condition(this.state()))) {
        this.taken.add(edge)
        tookAny = true
      }
    }
    if (!tookAny) this.endTexts.push(result.text)
    // Targets of taken edges, and the node itself (an edge into it may have been taken while it ran).
    for (const edge of links.outgoing) if (this.taken.has(edge) && this.isReady(edge.to)) this.start(edge.to)
    if (this.isReady(result.nodeId)) this.start(result.nodeId)
  }

  private isReady(id: string): boolean {
    const links = this.links.get(id)!
    if (this.active.has(id)) return false
    let forward = 0
    for (const edge of links.incoming) {
      if (links.back.has(edge)) {
        if (this.taken.has(edge)) return true
      } else {
        if (!this.taken.has(edge)) return false
        forward++
      }
    }
    return forward > 0
  }

  private startPartialJoins(): void {
    for (const [id, links] of this.links) {
      if (links.incoming.some((edge) => this.taken.has(edge))) this.start(id)
    }
  }

  private prompt(inputs: readonly string[]): ContentBlock[] {
    const task = toContent(this.task)
    if (inputs.length === 0) return task
    let text = '\n\nInputs from the previous nodes:'
    for (const id of inputs) text += `\n\nFrom ${id}:\n${this.results[id]?.text ?? ''}`
    return [{ text: 'Original task:\n' }, ...task, { text }]
  }

  private state(): GraphState {
    return {
      task: this.task,
      results: this.results,
      executionOrder: this.history.map((result) => result.nodeId),
      executionCount: this.executionCount,
    }
  }

  private stop(status: MultiAgentStatus, error: ErrorInfo | undefined): void {
    if (this.status !== undefined) return
    this.status = status
    this.error = error
  }

  private failedResult(nodeId: string, error: unknown): NodeResult {
    const nodeType = this.definition.nodes.get(nodeId)!.type
    return {
      nodeId,
      nodeType,
      status: 'failed',
      text: '',
      error: errorInfo(error),
      usage: emptyUsage(),
      executionTimeMs: 0,
    }
  }

  private result(): GraphResult {
    const summary = summarizeNodes(this.history)
    const text = this.endTexts.length > 0 ? this.endTexts.join('\n\n') : (this.history.at(-1)?.text ?? '')
    return withToString({
      kind: 'graph',
      status: this.status ?? 'completed',
      text,
      ...summary,
      executionCount: this.executionCount,
      skippedNodes: [...this.definition.nodes.keys()].filter((id) => !(id in summary.results)),
      executionTimeMs: this.limits.elapsedMs(),
      ...(this.error !== undefined && { error: this.error }),
      ...(this.status === 'interrupted' && {
        interrupts: this.history.flatMap((result) => result.interrupts ?? []),
      }),
    })
  }
}

/** True when `target` can be reached from `from` along edges. */
function reaches(links: ReadonlyMap<string, NodeLinks>, from: string, target: string): boolean {
  const seen = new Set<string>()
  const pending = [from]
  while (pending.length > 0) {
    const id = pending.pop()!
    if (id === target) return true
    if (seen.has(id)) continue
    seen.add(id)
    for (const edge of links.get(id)!.outgoing) pending.push(edge.to)
  }
  return false
}
