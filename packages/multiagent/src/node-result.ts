import type { AgentResult, Interrupt, JsonValue, Usage } from '@agent/core'
import type { GraphResult } from './graph-result.js'
import type { SwarmResult } from './swarm-result.js'

/** What kind of executor a node has. */
export type NodeType = 'agent' | 'swarm' | 'graph' | 'function'

/** How one execution of a node ended. */
export type NodeStatus = 'completed' | 'failed' | 'cancelled' | 'interrupted'

/** An error as plain JSON. */
export interface ErrorInfo {
  name: string
  message: string
}

/** One execution of one node. Plain JSON. */
export interface NodeResult {
  nodeId: string
  nodeType: NodeType
  status: NodeStatus
  /** The node's final text (an agent's answer, a nested orchestrator's output, a function's value as text). */
  text: string
  /** The executor's own result: an `AgentResult`, a nested `SwarmResult` / `GraphResult`, or a function's value. */
  result?: AgentResult | SwarmResult | GraphResult | JsonValue
  /** Why the node failed, or what cancelled it. */
  error?: ErrorInfo
  /** With status `interrupted`: the questions the node's agent waits on. */
  interrupts?: Interrupt[]
  usage: Usage
  executionTimeMs: number
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: String(error) }
}
