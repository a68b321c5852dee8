export type { OpenAIClientOptions } from './openai-client.js'
export { OpenAIModel, type OpenAIModelOptions } from './openai-model.js'
export { OpenAIResponsesModel, type OpenAIResponsesModelOptions } from './openai-responses-model.js'
