import type { MultiAgentPrompt } from './multi-agent.js'
import type { NodeResult } from './node-result.js'

/** What an edge condition sees: the run so far. */
export interface GraphState {
  task: MultiAgentPrompt
  /** The latest result of each node that finished, by id. */
  results: Readonly<Record<string, NodeResult>>
  /** Node ids in the order their executions finished. */
  executionOrder: readonly string[]
  /** Node executions started so far. */
  executionCount: number
}

/** Decides whether an edge is taken once its source node completes. */
export type EdgeCondition = (state: GraphState) => boolean | Promise<boolean>

export interface GraphEdge {
  from: string
  to: string
  condition?: EdgeCondition
}
