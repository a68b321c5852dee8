import { ModelError, type ModelRequest, type ModelStreamEvent } from '@agent/core'
import { type ChunkBatches, ProviderStream, type StreamConverter } from '@agent/core/provider'
import type { ClientOptions, OpenAI } from 'openai'
import { toModelError } from './map-openai-error.js'
import { loadOpenAIModule } from './openai-module.js'

/** How a model gets its `openai` client: a ready one, or the arguments to build one. */
export interface OpenAIClientOptions {
  /** A ready client. It is used as given (its own retry settings apply) and never closed by us. */
  client?: OpenAI | undefined
  /**
   * Arguments for a new client (`apiKey`, `baseURL`, `defaultHeaders`, `timeout`, `fetchOptions`…). Unset
   * `apiKey` / `baseURL` come from `OPENAI_API_KEY` / `OPENAI_BASE_URL`. Retries default to 0: the agent
   * loop owns retries.
   */
  clientArgs?: ClientOptions | undefined
}

/**
 * Builds the client on first use, so that `new OpenAIModel({ modelId })` never throws and a missing key
 * is reported by the request that needs it, as a typed error.
 */
export class LazyOpenAIClient {
  private client: OpenAI | undefined
  private readonly options: OpenAIClientOptions

  constructor(options: OpenAIClientOptions) {
    this.options = options
    this.client = options.client
  }

  /** The client; the first call also loads the `openai` package (its error classes are needed from then on). */
  async get(): Promise<OpenAI> {
    const { OpenAI: OpenAIClient } = await loadOpenAIModule()
    if (this.client !== undefined) return this.client
    const args = this.options.clientArgs ?? {}
    const apiKey = args.apiKey ?? readEnvironment('OPENAI_API_KEY')
    if (apiKey === undefined || apiKey === '') {
      throw new ModelError(
        'No OpenAI API key: set OPENAI_API_KEY or pass clientArgs: { apiKey }. Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) accept any non-empty value.',
      )
    }
    this.client = new OpenAIClient({ maxRetries: 0, ...args, apiKey })
    return this.client
  }
}

function readEnvironment(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    name
  ]?.trim()
}

/** One request of either API as a model stream: `open` sends it, `converter` turns its chunks into events. */
export function openAIStream<Chunk>(
  api: string,
  request: ModelRequest,
  open: (signal: AbortSignal | undefined) => Promise<AsyncIterable<Chunk> | ChunkBatches<Chunk>>,
  converter: StreamConverter<Chunk>,
): AsyncIterableIterator<ModelStreamEvent, undefined> {
  return new ProviderStream<Chunk>({
    name: api,
    open,
    converter,
    signal: request.signal,
    toError: (error, signal) => toModelError(error, signal, api),
  })
}
