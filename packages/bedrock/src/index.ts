export { BedrockModel } from './bedrock-model.js'
export type {
  BedrockCacheOptions,
  BedrockGuardrailOptions,
  BedrockModelOptions,
} from './bedrock-model-options.js'
export {
  blockedByGuardrail,
  defaultRedactInputMessage,
  defaultRedactOutputMessage,
  type RedactContentEvent,
} from './guardrail-redaction.js'
