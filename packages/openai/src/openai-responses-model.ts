import { defaultOpenAIModelId, type Model, type ModelRequest, type ModelStreamEvent } from '@agent/core'
import type { ChunkBatches } from '@agent/core/provider'
import { LazyOpenAIClient, type OpenAIClientOptions, openAIStream } from './openai-client.js'
import { toResponsesRequest } from './responses-request.js'
import { type ResponsesEvent, ResponsesStreamConverter } from './responses-stream-converter.js'
import { SseJsonReader } from './sse-json-reader.js'

export interface OpenAIResponsesModelOptions extends OpenAIClientOptions {
  /** The model name (`gpt-4.1-mini`, `o4-mini`, `gpt-5`…). Default `gpt-4.1-mini`. */
  modelId?: string
  /**
   * Extra request fields, passed through as given: `temperature`, `max_output_tokens`,
   * `reasoning: { effort, summary: 'auto' }` (to stream reasoning summaries), `store: true`…
   * `model`, `input`, `stream` and `tools` are always ours.
   */
  params?: Record<string, unknown>
  /** Parse the stream with the `openai` client's own reader instead of reading the bytes directly. */
  useClientStream?: boolean
}

/**
 * A model on the OpenAI Responses API. Stateless by default (`store: false`): the whole conversation
 * is sent on every call, as with Chat Completions, so nothing is kept on OpenAI's side.
 */
export class OpenAIResponsesModel implements Model {
  readonly provider = 'openai'
  readonly modelId: string
  readonly params: Record<string, unknown> | undefined
  private readonly client: LazyOpenAIClient
  private readonly useClientStream: boolean

  constructor(options: OpenAIResponsesModelOptions = {}) {
    this.modelId = options.modelId ?? defaultOpenAIModelId
    this.params = options.params
    this.useClientStream = options.useClientStream ?? false
    this.client = new LazyOpenAIClient(options)
  }

  stream(request: ModelRequest): AsyncIterableIterator<ModelStreamEvent, undefined> {
    return openAIStream(
      'OpenAI Responses',
      request,
      (signal) => this.open(request, signal),
      new ResponsesStreamConverter(),
    )
  }

  /** Sends the request; the response's events are converted by `ResponsesStreamConverter`. */
  private async open(
    request: ModelRequest,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<ResponsesEvent> | ChunkBatches<ResponsesEvent>> {
    const body = toResponsesRequest(request, { modelId: this.modelId, params: this.params })
    const client = await this.client.get()
    const response = client.responses.create(body, signal ? { signal } : undefined)
    if (this.useClientStream) return (await response) as AsyncIterable<ResponsesEvent>
    return new SseJsonReader<ResponsesEvent>(await response.asResponse())
  }
}
