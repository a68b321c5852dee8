/**
 * `@agent/core/provider`: what model providers and other packages built on core share, kept out of the
 * root export that app authors read. Node-free, like all of core.
 */
export { createAgentResult } from '../agent/agent-result.js'
export { errorGuard } from '../errors/agent-error.js'
export { describeThrownValue } from '../errors/describe-thrown-value.js'
export { repairRestoredConversation } from '../session/repair-session.js'
export { isAsyncGenerator } from '../tools/is-async-generator.js'
export { errorResult } from '../tools/run-tool.js'
export { addUsage, emptyUsage } from '../types/usage.js'
export { positiveOption } from './positive-option.js'
export {
  type ChunkBatches,
  ProviderStream,
  type ProviderStreamOptions,
  type StreamConverter,
  type StreamMetrics,
  type StreamTiming,
} from './provider-stream.js'
export { redactCredentials } from './redact-credentials.js'
