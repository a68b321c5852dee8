import type { JsonObject } from '@agent/core'
import type { MultiAgentResultBase } from './multi-agent-result.js'

/** One handoff between Swarm agents. */
export interface SwarmHandoff {
  from: string
  to: string
  message: string
  context?: JsonObject
}

/** The outcome of one Swarm run. Plain JSON. */
export interface SwarmResult extends MultiAgentResultBase {
  kind: 'swarm'
  /** The agents in the order they worked (the same as `executionOrder`). */
  nodeHistory: string[]
  handoffs: SwarmHandoff[]
  /** What the agents passed along in their handoffs' `context`, by agent name. */
  sharedContext: Record<string, JsonObject>
}
