import {
  AbortError,
  defaultOpenAIModelId,
  type Model,
  type ModelRequest,
  type ModelStreamEvent,
} from '@agent/core'
import { toModelError } from './map-openai-error.js'
import { LazyOpenAIClient, type OpenAIClientOptions } from './openai-client.js'
import { toResponsesRequest } from './responses-request.js'
import { type ResponsesEvent, ResponsesStreamConverter } from './responses-stream-converter.js'

export interface OpenAIResponsesModelOptions extends OpenAIClientOptions {
  /** The model name (`gpt-4.1-mini`, `o4-mini`, `gpt-5`…). Default `gpt-4.1-mini`. */
  modelId?: string
  /**
   * Extra request fields, passed through as given: `temperature`, `max_output_tokens`,
   * `reasoning: { effort, summary: 'auto' }` (to stream reasoning summaries), `store: true`…
   * `model`, `input`, `stream` and `tools` are always ours.
   */
  params?: Record<string, unknown>
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

  constructor(options: OpenAIResponsesModelOptions = {}) {
    this.modelId = options.modelId ?? defaultOpenAIModelId
    this.params = options.params
    this.client = new LazyOpenAIClient(options)
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const signal = request.signal
    if (signal?.aborted) {
      throw new AbortError('The OpenAI Responses request was aborted before it was sent.', {
        cause: signal.reason,
      })
    }
    const converter = new ResponsesStreamConverter()
    const out: ModelStreamEvent[] = []
    const startedAt = performance.now()
    let timeToFirstByteMs: number | undefined
    try {
      const body = toResponsesRequest(request, { modelId: this.modelId, params: this.params })
      const stream = await this.client.get().responses.create(body, signal ? { signal } : undefined)
      for await (const event of stream) {
        timeToFirstByteMs ??= performance.now() - startedAt
        converter.accept(event as ResponsesEvent, out)
        for (let index = 0; index < out.length; index++) yield out[index]!
        out.length = 0
      }
      // The client ends the iteration quietly when the request is aborted mid-stream.
      if (signal?.aborted)
        throw new AbortError('The OpenAI Responses request was aborted.', { cause: signal.reason })
      const latencyMs = performance.now() - startedAt
      converter.finish(
        out,
        timeToFirstByteMs === undefined ? { latencyMs } : { latencyMs, timeToFirstByteMs },
      )
    } catch (error) {
      throw toModelError(error, signal, 'OpenAI Responses')
    }
    yield* out
  }
}
