import type { MultiAgentResultBase } from './multi-agent-result.js'

/** The outcome of one Graph run. Plain JSON. */
export interface GraphResult extends MultiAgentResultBase {
  kind: 'graph'
  /** Node executions started (a node in a cycle counts once per execution). */
  executionCount: number
  /** Nodes that never ran in this run. */
  skippedNodes: string[]
}
