export { AgentError } from './agent-error.js'
export { HookError } from './hook-error.js'
export {
  AbortError,
  ConcurrencyError,
  MaxTokensReachedError,
  StructuredOutputError,
  ToolInputError,
} from './invocation-errors.js'
export {
  ContextWindowOverflowError,
  ModelError,
  type ModelErrorOptions,
  ModelThrottledError,
} from './model-error.js'
export { SessionConflictError, SessionError } from './session-error.js'
