export { AgentError } from './agent-error.js'
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
