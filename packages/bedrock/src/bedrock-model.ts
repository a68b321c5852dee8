import { AbortError, type Model, ModelError, type ModelRequest, type ModelStreamEvent } from '@agent/core'
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamCommandInput,
} from '@aws-sdk/client-bedrock-runtime'
import type { BedrockModelOptions } from './bedrock-model-options.js'
import { converseResponseEvents } from './converse-response-events.js'
import { formatRequest } from './format-request.js'
import { type RedactContentEvent, redactBlockedContent } from './guardrail-redaction.js'
import { mapBedrockError } from './map-error.js'
import { mapStreamEvent } from './map-stream-event.js'

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

  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const callerSignal = request.signal
    if (callerSignal?.aborted) {
      throw new AbortError('The Bedrock request was aborted before it was sent.', {
        cause: callerSignal.reason,
      })
    }
    // Our own controller also cancels the HTTP/2 stream when the consumer stops reading early.
    const controller = new AbortController()
    const forwardAbort = () => controller.abort(callerSignal?.reason)
    callerSignal?.addEventListener('abort', forwardAbort, { once: true })
    const signal = controller.signal
    const guardrail = this.options.guardrail
    let finished = false
    try {
      const input = formatRequest(this.options, request)
      const startedAt = performance.now()
      if (this.options.streaming === false) {
        const response = await this.client.send(new ConverseCommand(input), { abortSignal: signal })
        if (signal.aborted) throw abortError(signal)
        const events = converseResponseEvents(response, Math.round(performance.now() - startedAt))
        for (const event of events) yield event
        if (guardrail !== undefined && response.trace !== undefined) {
          const redaction = redactBlockedContent(guardrail, response.trace, request.messages)
          if (redaction !== undefined) yield redaction as unknown as ModelStreamEvent
        }
        finished = true
        return
      }
      const response = await this.client.send(new ConverseStreamCommand(input), { abortSignal: signal })
      if (response.stream === undefined) throw new Error('Bedrock answered ConverseStream without a stream.')
      let timeToFirstByteMs: number | undefined
      let redaction: RedactContentEvent | undefined
      // Iterated by hand: on an early exit the request must be cancelled before the SDK's iterator is
      // released, since releasing it first waits for a stream that may never end.
      const outputs = response.stream[Symbol.asyncIterator]()
      let drained = false
      let stopped = false
      try {
        while (!signal.aborted) {
          const step = await outputs.next()
          if (step.done) {
            drained = true
            break
          }
          timeToFirstByteMs ??= Math.round(performance.now() - startedAt)
          const event = mapStreamEvent(step.value, timeToFirstByteMs)
          if (event === undefined) continue
          if ('messageStop' in event) stopped = true
          yield event
          const trace = step.value.metadata?.trace
          if (guardrail !== undefined && trace !== undefined) {
            redaction = redactBlockedContent(guardrail, trace, request.messages)
          }
        }
      } finally {
        if (!drained) {
          if (!signal.aborted)
            controller.abort(new AbortError('The consumer stopped reading the model stream.'))
          void outputs.return?.().catch(() => undefined)
        }
      }
      // The HTTP/2 handler ends the stream quietly when aborted: the signal is the only witness.
      if (signal.aborted) throw abortError(signal)
      // The HTTP/2 handler also ends quietly when its idle timeout closes the stream.
      if (!stopped) {
        throw new ModelError(
          'The Bedrock stream ended before the answer was complete (no messageStop): the connection was closed or timed out. Trying again usually helps.',
          { retryable: true },
        )
      }
      if (redaction !== undefined) yield redaction as unknown as ModelStreamEvent
      finished = true
    } catch (error) {
      throw mapBedrockError(error, callerSignal)
    } finally {
      callerSignal?.removeEventListener('abort', forwardAbort)
      if (!finished && !signal.aborted)
        controller.abort(new AbortError('The consumer stopped reading the model stream.'))
    }
  }

  /** Closes the connections of the client this model built (a client passed in is left to its owner). */
  destroy(): void {
    if (this.ownsClient) this.client.destroy()
  }
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError('The Bedrock request was aborted.', { cause: signal.reason })
}

function regionFromEnvironment(): string {
  // Browsers and workers have no `process`: pass `region` there.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'
}
