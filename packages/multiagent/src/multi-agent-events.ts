import type { AgentEvent, JsonValue } from '@agent/core'
import type { GraphResult } from './graph-result.js'
import type { NodeResult, NodeType } from './node-result.js'
import type { SwarmResult } from './swarm-result.js'

/**
 * The events `swarm.stream()` and `graph.stream()` yield: coordination events around the nodes' own
 * events (DESIGN.md §4). Each has `type` equal to its Strands key. All are plain JSON.
 */
export type MultiAgentEvent<Result extends SwarmResult | GraphResult = SwarmResult | GraphResult> =
  | MultiAgentNodeStartEvent
  | MultiAgentNodeStreamEvent
  | MultiAgentNodeStopEvent
  | MultiAgentHandoffEvent
  | MultiAgentResultEvent<Result>

/** What one node execution yields (`executeNode`). */
export type MultiAgentNodeEvent =
  | MultiAgentNodeStartEvent
  | MultiAgentNodeStreamEvent
  | MultiAgentNodeStopEvent

export type MultiAgentEventType = MultiAgentEvent['type']

/** What a node streams: an agent's events, a nested Swarm's or Graph's, or a function node's own. */
export type NodeEvent = AgentEvent | MultiAgentEvent | FunctionNodeEvent

/** An event a function node yields (its own progress, for the UI): `{ type: 'custom', data }`. */
export interface FunctionNodeEvent {
  type: 'custom'
  data: JsonValue
}

export interface MultiAgentNodeStartEvent {
  type: 'multi_agent_node_start'
  multi_agent_node_start: true
  node_id: string
  node_type: NodeType
}

export interface MultiAgentNodeStreamEvent {
  type: 'multi_agent_node_stream'
  multi_agent_node_stream: true
  node_id: string
  /** The node's own event, unchanged (for a nested Swarm or Graph, its multi-agent event). */
  event: NodeEvent
}

export interface MultiAgentNodeStopEvent {
  type: 'multi_agent_node_stop'
  multi_agent_node_stop: true
  node_id: string
  node_result: NodeResult
}

export interface MultiAgentHandoffEvent {
  type: 'multi_agent_handoff'
  multi_agent_handoff: true
  from_node: string
  to_node: string
  message: string
}

export interface MultiAgentResultEvent<Result extends SwarmResult | GraphResult = SwarmResult | GraphResult> {
  type: 'multi_agent_result'
  multi_agent_result: true
  result: Result
}
