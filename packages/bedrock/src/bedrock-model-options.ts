import type { JsonObject } from '@agent/core'
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime'

/** Amazon Bedrock Guardrails applied to every request, and what to do when one blocks. */
export interface BedrockGuardrailOptions {
  /** Guardrail identifier (id or ARN). */
  id: string
  /** Guardrail version, e.g. `'1'` or `'DRAFT'`. */
  version: string
  /** Guardrail trace in the response metadata. Default `'enabled'` (needed to know what was blocked). */
  trace?: 'enabled' | 'disabled' | 'enabled_full'
  /** Streaming only: `'sync'` checks each chunk before it is sent, `'async'` sends first. Bedrock's default is sync. */
  streamProcessingMode?: 'sync' | 'async'
  /**
   * When the guardrail blocks the user's input, replace that input in the conversation so that it is not
   * sent again on the next turn. Default `true`.
   */
  redactInput?: boolean
  /** Text that replaces blocked input. Default `'[User input redacted.]'`. */
  redactInputMessage?: string
  /** When the guardrail blocks the model's output, ask the agent to replace it. Default `false`. */
  redactOutput?: boolean
  /** Text that replaces blocked output. Default `'[Assistant output redacted.]'`. */
  redactOutputMessage?: string
}

/** Where to put prompt-cache points. Each costs one of Bedrock's four cache points per request. */
export interface BedrockCacheOptions {
  /** After the system prompt. */
  systemPrompt?: boolean
  /** After the tool definitions. */
  tools?: boolean
  /** After the latest message, so that the whole conversation so far is cached. */
  messages?: boolean
  /** Cache lifetime where the model supports a choice. Bedrock's default is 5 minutes. */
  ttl?: '5m' | '1h'
}

export interface BedrockModelOptions {
  /** Model or inference-profile id, e.g. `us.anthropic.claude-sonnet-4-20250514-v1:0`. */
  modelId: string
  /** AWS region. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string
  /** A ready client, used as is (its retry settings included). */
  client?: BedrockRuntimeClient
  /** Options for the client this model builds when `client` is not given. */
  clientConfig?: BedrockRuntimeClientConfig
  /** `true` (default): `ConverseStream`; `false`: `Converse`, mapped to the same events. */
  streaming?: boolean
  maxTokens?: number
  temperature?: number
  topP?: number
  stopSequences?: string[]
  /** Model-specific request fields, e.g. `{ thinking: { type: 'enabled', budget_tokens: 2048 } }`. */
  additionalRequestFields?: JsonObject
  /** JSON pointers of model-specific response fields to return in `messageStop.additionalModelResponseFields`. */
  additionalResponseFieldPaths?: string[]
  guardrail?: BedrockGuardrailOptions
  cacheConfig?: BedrockCacheOptions
  /**
   * Send `status` with tool results. `'auto'` (default) sends it to models known to accept it (Anthropic
   * Claude); other models reject the field.
   */
  includeToolResultStatus?: boolean | 'auto'
}
