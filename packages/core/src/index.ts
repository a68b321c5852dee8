// The public types use Symbol.asyncDispose: consumers need this lib, with or without @types/node.
/// <reference lib="esnext.disposable" preserve="true" />
export {
  Agent,
  type AgentOptions,
  type CallbackHandler,
  type StreamOptions,
  type StructuredStreamOptions,
} from './agent/agent.js'
export {
  type AgentAsToolOptions,
  type AgentToolStreamData,
  agentAsTool,
  type StreamingAgent,
} from './agent/agent-as-tool.js'
export {
  type AgentContext,
  type AgentTools,
  isToolProvider,
  type Tool,
  type ToolCallbackResult,
  type ToolContext,
  type ToolProvider,
} from './agent/agent-context.js'
export { type AgentResult, messageText, type StructuredAgentResult } from './agent/agent-result.js'
export { createPrintingCallbackHandler } from './agent/printing-callback-handler.js'
export {
  type ConversationManager,
  type ConversationManagerContext,
  NullConversationManager,
} from './conversation/conversation-manager.js'
export {
  SlidingWindowConversationManager,
  type SlidingWindowConversationManagerOptions,
} from './conversation/sliding-window-conversation-manager.js'
export {
  SummarizingConversationManager,
  type SummarizingConversationManagerOptions,
  summaryPrefix,
} from './conversation/summarizing-conversation-manager.js'
export * from './errors/index.js'
export type * from './events/agent-events.js'
export { addGlobalHooks, globalHookProviders } from './hooks/global-hooks.js'
export {
  AfterInvocationEvent,
  AfterModelCallEvent,
  AfterToolCallEvent,
  BeforeInvocationEvent,
  BeforeModelCallEvent,
  BeforeToolCallEvent,
  HookEvent,
  MessageAddedEvent,
} from './hooks/hook-events.js'
export {
  type HookCallback,
  type HookEventClass,
  type HookProvider,
  HookRegistry,
} from './hooks/hook-registry.js'
export {
  type Interrupt,
  InterruptError,
  type InterruptResponseContent,
  type InterruptState,
  interruptId,
  isInterruptState,
} from './interrupt/interrupt.js'
export type { TokenLimits } from './loop/event-loop.js'
export type {
  AgentMetrics,
  AgentMetricsWithSummary,
  CycleMetrics,
  ToolMetrics,
} from './metrics/agent-metrics.js'
export { renderMetricsSummary } from './metrics/metrics-summary.js'
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
export {
  abortableSleep,
  BackoffRetryStrategy,
  type BackoffRetryStrategyOptions,
  type RetryStrategy,
} from './retry/retry-strategy.js'
export type { SessionData, SessionManager } from './session/session-manager.js'
export { AgentState } from './state/agent-state.js'
export { structuredOutputToolName } from './structured-output/structured-output.js'
export type { InputSchema, StandardSchema } from './tools/input-schema.js'
export { type ToolDefinition, tool } from './tools/tool.js'
export { ToolRegistry } from './tools/tool-registry.js'
export type { JsonObject, JsonValue } from './types/json.js'
export type * from './types/messages.js'
export type { StopReason } from './types/stop-reason.js'
export type { Metrics, Usage } from './types/usage.js'
