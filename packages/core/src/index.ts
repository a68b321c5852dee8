export { Agent, type AgentOptions, type CallbackHandler, type StreamOptions } from './agent/agent.js'
export { type AgentResult, createAgentResult, messageText } from './agent/agent-result.js'
export { createPrintingCallbackHandler } from './agent/printing-callback-handler.js'
export * from './errors/index.js'
export type * from './events/agent-events.js'
export type { AgentMetrics, CycleMetrics, ToolMetrics } from './metrics/agent-metrics.js'
export type { Model, ModelRequest, ToolChoice, ToolSpec } from './model/model.js'
export type * from './model/model-stream-event.js'
export { OfflineModel, type OfflineModelOptions } from './models/offline-model.js'
export {
  defaultBedrockModelId,
  defaultOpenAIModelId,
  type ModelFactory,
  registerModelProvider,
  resolveModel,
} from './models/resolve-model.js'
export type { InputSchema, StandardSchema } from './tools/input-schema.js'
export { errorResult } from './tools/run-tool.js'
export {
  type Tool,
  type ToolCallbackResult,
  type ToolContext,
  type ToolDefinition,
  tool,
} from './tools/tool.js'
export { ToolRegistry } from './tools/tool-registry.js'
export type { JsonObject, JsonValue } from './types/json.js'
export type * from './types/messages.js'
export type { StopReason } from './types/stop-reason.js'
export { addUsage, emptyUsage, type Metrics, type Usage } from './types/usage.js'
