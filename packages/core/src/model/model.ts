import type { JsonObject } from '../types/json.js'
import type { ContentBlock, Message } from '../types/messages.js'
import type { ModelStreamEvent } from './model-stream-event.js'

/** A tool as the model sees it. `inputSchema` is JSON Schema. */
export interface ToolSpec {
  name: string
  description: string
  inputSchema: JsonObject
}

/** `auto`: the model decides; `any`: it must call some tool; `{tool}`: it must call that one. */
export type ToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } }

export interface ModelRequest {
  messages: Message[]
  systemPrompt?: string | ContentBlock[]
  toolSpecs?: ToolSpec[]
  toolChoice?: ToolChoice
  signal?: AbortSignal
}

/**
 * The one thing a provider implements. The stream must:
 * - stream tool-input deltas as they arrive;
 * - abort its request when `signal` aborts and throw an `AbortError`;
 * - throw `ModelThrottledError`, `ContextWindowOverflowError` or `ModelError` for provider failures;
 * - end with `messageStop` and report usage and metrics in `metadata`.
 */
export interface Model {
  /** Who serves the model, as OpenTelemetry's `gen_ai.provider.name` spells it: `openai`, `aws.bedrock`, … */
  readonly provider: string
  /** The model as the provider names it, e.g. `gpt-4.1-mini`. */
  readonly modelId: string
  stream(request: ModelRequest): AsyncIterable<ModelStreamEvent>
}
