import { defaultOpenAIModelId, type Model, type ModelRequest, type ModelStreamEvent } from '@agent/core'
import type { ChunkBatches } from '@agent/core/provider'
import { type ConvertedMessages, toChatRequest } from './chat-request.js'
import { type ChatChunk, ChatStreamConverter } from './chat-stream-converter.js'
import { LazyOpenAIClient, type OpenAIClientOptions, openAIStream } from './openai-client.js'
import { SseJsonReader } from './sse-json-reader.js'

export interface OpenAIModelOptions extends OpenAIClientOptions {
  /** The model name the server knows (`gpt-4.1-mini`, `llama3.2`, `deepseek-reasoner`…). Default `gpt-4.1-mini`. */
  modelId?: string
  /**
   * Extra request fields, passed through as given: `temperature`, `max_completion_tokens`, `top_p`,
   * `parallel_tool_calls`, `reasoning_effort`, vendor fields… `model`, `messages`, `stream` and `tools`
   * are always ours.
   */
  params?: Record<string, unknown>
  /**
   * Send the model's earlier reasoning back as `reasoning_content` on assistant messages. Off by default:
   * OpenAI ignores it and some servers reject it; turn it on for servers that want it during tool use
   * (e.g. DeepSeek thinking mode).
   */
  sendReasoningContent?: boolean
  /**
   * Parse the stream with the `openai` client's own stream reader. Off by default: the response body's
   * bytes are read directly (same events and errors, far less CPU per token). The client still sends the
   * request, builds its headers and turns a failed response into its typed error either way.
   */
  useClientStream?: boolean
}

/**
 * A model on the OpenAI Chat Completions API, and on any OpenAI-compatible server (vLLM, Ollama,
 * LM Studio, llama.cpp, Groq, DeepSeek, xAI, OpenRouter…) through `clientArgs.baseURL`.
 * It always streams, with usage, and forwards tool-call arguments as they arrive.
 */
export class OpenAIModel implements Model {
  readonly provider = 'openai'
  readonly modelId: string
  readonly params: Record<string, unknown> | undefined
  private readonly sendReasoningContent: boolean
  private readonly useClientStream: boolean
  private readonly client: LazyOpenAIClient
  private readonly converted: ConvertedMessages = new WeakMap()

  constructor(options: OpenAIModelOptions = {}) {
    this.modelId = options.modelId ?? defaultOpenAIModelId
    this.params = options.params
    this.sendReasoningContent = options.sendReasoningContent ?? false
    this.useClientStream = options.useClientStream ?? false
    this.client = new LazyOpenAIClient(options)
  }

  stream(request: ModelRequest): AsyncIterableIterator<ModelStreamEvent, undefined> {
    return openAIStream('OpenAI', request, (signal) => this.open(request, signal), new ChatStreamConverter())
  }

  /** Sends the request; the response's chunks are converted by `ChatStreamConverter`. */
  private async open(
    request: ModelRequest,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<ChatChunk> | ChunkBatches<ChatChunk>> {
    const body = toChatRequest(request, {
      modelId: this.modelId,
      params: this.params,
      sendReasoningContent: this.sendReasoningContent,
      converted: this.converted,
    })
    const client = await this.client.get()
    const response = client.chat.completions.create(body, signal ? { signal } : undefined)
    if (this.useClientStream) return (await response) as AsyncIterable<ChatChunk>
    return new SseJsonReader<ChatChunk>(await response.asResponse())
  }
}
