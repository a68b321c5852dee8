import { Graph } from './graph.js'
import type { EdgeCondition, GraphEdge } from './graph-state.js'
import { MultiAgentNode, type NodeExecutor } from './node.js'
import { positiveOption } from './positive-option.js'

const nodeIdPattern = /^[a-zA-Z0-9_-]{1,64}$/

/**
 * Builds a `Graph`: `new GraphBuilder().addNode(researcher, 'research').addEdge('research', 'write').build()`.
 * A graph with a cycle needs a limit (`setMaxNodeExecutions` or `setExecutionTimeout`), so that it cannot loop forever.
 */
export class GraphBuilder {
  private readonly nodes = new Map<string, MultiAgentNode>()
  private readonly edges: GraphEdge[] = []
  private readonly entryPoints: string[] = []
  private maxNodeExecutions = Number.POSITIVE_INFINITY
  private executionTimeoutMs = Number.POSITIVE_INFINITY
  private nodeTimeoutMs = Number.POSITIVE_INFINITY

  /** Adds a node: an Agent, a Swarm or Graph, or a function. The id defaults to the agent's name. */
  addNode(executor: NodeExecutor, id?: string): this {
    const nodeId = id ?? (typeof executor === 'object' && 'name' in executor ? executor.name : undefined)
    if (nodeId === undefined || !nodeIdPattern.test(nodeId)) {
      throw new TypeError(`Node id "${nodeId}" is invalid: give 1 to 64 letters, digits, "_" or "-".`)
    }
    if (this.nodes.has(nodeId)) throw new TypeError(`Two nodes have the id "${nodeId}".`)
    for (const node of this.nodes.values()) {
      if (node.executor === executor) {
        throw new TypeError(
          `Node "${nodeId}" uses the same executor as node "${node.id}": an agent runs one invocation at a time, so give each node its own.`,
        )
      }
    }
    this.nodes.set(nodeId, new MultiAgentNode(nodeId, executor))
    return this
  }

  /** Adds an edge; with a condition, it is taken only when the condition holds once `from` completes. */
  addEdge(from: string, to: string, condition?: EdgeCondition): this {
    for (const id of [from, to]) {
      if (!this.nodes.has(id))
        throw new TypeError(`Edge ${from} → ${to}: no node has the id "${id}"; add it first.`)
    }
    this.edges.push({ from, to, condition })
    return this
  }

  /** A node that starts the run (call again for several). Default: every node without incoming edges. */
  setEntryPoint(id: string): this {
    if (!this.nodes.has(id)) throw new TypeError(`Entry point "${id}": no node has this id.`)
    if (!this.entryPoints.includes(id)) this.entryPoints.push(id)
    return this
  }

  /** Node executions per run at most (counting each pass through a cycle); then the run ends with `max_node_executions`. */
  setMaxNodeExecutions(count: number): this {
    this.maxNodeExecutions = positiveOption(count, Number.POSITIVE_INFINITY, 'setMaxNodeExecutions')
    return this
  }

  /** The run's deadline; past it every running node is stopped and the run ends with `timeout`. */
  setExecutionTimeout(ms: number): this {
    this.executionTimeoutMs = positiveOption(ms, Number.POSITIVE_INFINITY, 'setExecutionTimeout')
    return this
  }

  /** Each node execution's deadline; past it the node fails and the run ends with `timeout`. */
  setNodeTimeout(ms: number): this {
    this.nodeTimeoutMs = positiveOption(ms, Number.POSITIVE_INFINITY, 'setNodeTimeout')
    return this
  }

  build(): Graph {
    if (this.nodes.size === 0) throw new TypeError('A graph needs at least one node.')
    const entryPoints =
      this.entryPoints.length > 0
        ? [...this.entryPoints]
        : [...this.nodes.keys()].filter((id) => !this.edges.some((edge) => edge.to === id))
    if (entryPoints.length === 0) {
      throw new TypeError(
        'Every node has an incoming edge: choose where the run starts with setEntryPoint().',
      )
    }
    const graph = new Graph({
      nodes: new Map(this.nodes),
      edges: [...this.edges],
      entryPoints,
      maxNodeExecutions: this.maxNodeExecutions,
      executionTimeoutMs: this.executionTimeoutMs,
      nodeTimeoutMs: this.nodeTimeoutMs,
    })
    const unlimited = !Number.isFinite(this.maxNodeExecutions) && !Number.isFinite(this.executionTimeoutMs)
    if (unlimited && graph.hasCycle) {
      throw new TypeError(
        'The graph has a cycle: set a limit with setMaxNodeExecutions() or setExecutionTimeout() so that it cannot run forever.',
      )
    }
    return graph
  }
}
