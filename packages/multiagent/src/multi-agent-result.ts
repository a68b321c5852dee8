import type { Interrupt, Usage } from '@agent/core'
import { addUsage, emptyUsage } from '@agent/core/provider'
import type { ErrorInfo, NodeResult } from './node-result.js'

/**
 * How a Swarm or Graph run ended. `completed`: it finished its work. `failed`: a node failed (see
 * `error`). `cancelled`: its signal aborted. The others name the limit that stopped it.
 */
export type MultiAgentStatus =
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'timeout'
  | 'max_handoffs'
  | 'max_iterations'
  | 'repetitive_handoff'
  | 'max_node_executions'
  /** A node's agent asked a person (`interrupts`); a Swarm resumes with `interruptResponse` blocks. */
  | 'interrupted'

/** What Swarm and Graph results share. Plain JSON. */
export interface MultiAgentResultBase {
  status: MultiAgentStatus
  /** The final output: the last node's text (Graph: the texts of the nodes that ended each path). */
  text: string
  /** The latest result of each node that ran, by node id. */
  results: Record<string, NodeResult>
  /** Node ids in the order their executions finished (a node run twice appears twice). */
  executionOrder: string[]
  /** Nodes whose latest execution completed. */
  completedNodes: string[]
  /** Nodes whose latest execution failed or was cancelled. */
  failedNodes: string[]
  /** Summed over every node execution. */
  usage: Usage
  executionTimeMs: number
  /** What stopped the run when it did not complete. */
  error?: ErrorInfo
  /** With status `interrupted`: the questions the interrupted node waits on. */
  interrupts?: Interrupt[]
}

/** Sorts finished node results into the shared result fields. */
export function summarizeNodes(
  history: readonly NodeResult[],
): Pick<MultiAgentResultBase, 'results' | 'executionOrder' | 'completedNodes' | 'failedNodes' | 'usage'> {
  const results: Record<string, NodeResult> = {}
  const usage = emptyUsage()
  for (const result of history) {
    results[result.nodeId] = result
    addUsage(usage, result.usage)
  }
  const latest = Object.values(results)
  return {
    results,
    executionOrder: history.map((result) => result.nodeId),
    completedNodes: latest.filter((result) => result.status === 'completed').map((result) => result.nodeId),
    failedNodes: latest
      .filter((result) => result.status !== 'completed' && result.status !== 'interrupted')
      .map((result) => result.nodeId),
    usage,
  }
}

/** Makes `String(result)` the result's text, as for an `AgentResult` (not enumerable: JSON sees only data). */
export function withToString<Result extends MultiAgentResultBase>(result: Result): Result {
  Object.defineProperty(result, 'toString', { value: () => result.text, enumerable: false })
  return result
}
