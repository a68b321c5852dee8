export {
  type AgentAsToolOptions,
  type AgentToolStreamData,
  agentAsTool,
  type StreamingAgent,
} from '@agent/core'
export { NodeTimeoutError } from './execute-node.js'
export { Graph, type GraphDefinition } from './graph.js'
export { GraphBuilder } from './graph-builder.js'
export type { GraphResult } from './graph-result.js'
export type { EdgeCondition, GraphEdge, GraphState } from './graph-state.js'
export { handoffToolName } from './handoff-tool.js'
export {
  isMultiAgent,
  type MultiAgent,
  type MultiAgentPrompt,
  type MultiAgentStreamOptions,
} from './multi-agent.js'
export type * from './multi-agent-events.js'
export type { MultiAgentResultBase, MultiAgentStatus } from './multi-agent-result.js'
export type { FunctionNode, FunctionNodeInput, NodeExecutor } from './node.js'
export type { ErrorInfo, NodeResult, NodeStatus, NodeType } from './node-result.js'
export {
  type RepetitiveHandoffDetection,
  Swarm,
  type SwarmMember,
  type SwarmOptions,
} from './swarm.js'
export type { SwarmHandoff, SwarmResult } from './swarm-result.js'
