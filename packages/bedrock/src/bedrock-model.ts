import type { Model, ModelRequest, ModelStreamEvent } from '@agent/core'
import { ProviderStream, type ProviderStreamOptions } from '@agent/core/provider'
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseResponse,
  ConverseStreamCommand,
  type ConverseStreamCommandInput,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime'
import type { BedrockModelOptions } from './bedrock-model-options.js'
import { ConverseResponseConverter, ConverseStreamConverter } from './converse-stream-converter.js'
import { formatRequest } from './format-request.js'
import { mapBedrockError } from './map-error.js'

/**
 * Amazon Bedrock through the Converse API: `ConverseStream` by default, `Converse` with
 * `streaming: false`, both giving the same events. Built with only `{ modelId }`, it reads the region
 * and credentials from the usual AWS environment.
 */
export class BedrockModel implements Model {
  readonly provider = 'aws.bedrock'
  readonly modelId: string
  readonly client: BedrockRuntimeClient
  private readonly options: BedrockModelOptions
  private readonly ownsClient: boolean

  constructor(options: BedrockModelOptions) {
    this.options = { ...options }
    this.modelId = options.modelId
    this.ownsClient = options.client === undefined
    this.client =
      options.client ??
      new BedrockRuntimeClient({
        // The agent loop owns retries (with its throttling events); the client tries once unless told otherwise.
        maxAttempts: 1,
        ...options.clientConfig,
        region: options.region ?? options.clientConfig?.region ?? regionFromEnvironment(),
      })
  }

  /** The options this model was built with (a copy). */
  get config(): Readonly<BedrockModelOptions> {
    return { ...this.options }
  }

  /** The Converse input this model would send for a request (for logging and tests). */
  formatRequest(request: ModelRequest): ConverseStreamCommandInput {
    return formatRequest(this.options, request)
  }

  stream(request: ModelRequest): AsyncIterableIterator<ModelStreamEvent, undefined> {
    const guardrail = this.options.guardrail
    const whole = this.options.streaming === false
    return new ProviderStream<ConverseStreamOutput | ConverseResponse>({
      name: 'Bedrock',
      open: (signal) => (whole ? this.converse(request, signal) : this.converseStream(request, signal)),
      converter: whole
        ? new ConverseResponseConverter(guardrail, request.messages)
        : new ConverseStreamConverter(guardrail, request.messages),
      signal: request.signal,
      toError: mapBedrockError,
      // Releasing the SDK's stream waits for data: the request is aborted first when reading stops.
      abortOnStop: true,
    } as ProviderStreamOptions<ConverseStreamOutput | ConverseResponse>)
  }

  private async converseStream(
    request: ModelRequest,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<ConverseStreamOutput>> {
    const input = formatRequest(this.options, request)
    const response = await this.client.send(new ConverseStreamCommand(input), { abortSignal: signal })
    if (response.stream === undefined) throw new Error('Bedrock answered ConverseStream without a stream.')
    return response.stream
  }

  /** `Converse`: the whole answer as one chunk. */
  private async converse(
    request: ModelRequest,
    signal: AbortSignal | undefined,
  ): Promise<AsyncIterable<ConverseResponse>> {
    const input = formatRequest(this.options, request)
    const response = await this.client.send(new ConverseCommand(input), { abortSignal: signal })
    return only(response)
  }

  /** Closes the connections of the client this model built (a client passed in is left to its owner). */
  destroy(): void {
    if (this.ownsClient) this.client.destroy()
  }
}

async function* only<Value>(value: Value): AsyncGenerator<Value> {
  yield value
}

function regionFromEnvironment(): string {
  // Browsers and workers have no `process`: pass `region` there.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'
}
