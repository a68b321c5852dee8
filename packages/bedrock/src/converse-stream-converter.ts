import { type Message, ModelError, type ModelStreamEvent } from '@agent/core'
import type { StreamConverter, StreamTiming } from '@agent/core/provider'
import type { ConverseResponse, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime'
import type { BedrockGuardrailOptions } from './bedrock-model-options.js'
import { converseResponseEvents } from './converse-response-events.js'
import { type RedactContentEvent, redactBlockedContent } from './guardrail-redaction.js'
import { mapStreamEvent } from './map-stream-event.js'

/** What a guardrail's trace asks to redact, given after the answer, and whether the answer was complete. */
abstract class GuardrailAwareConverter<Chunk> implements StreamConverter<Chunk> {
  protected redaction: RedactContentEvent | undefined
  private readonly guardrail: BedrockGuardrailOptions | undefined
  private readonly messages: readonly Message[]

  constructor(guardrail: BedrockGuardrailOptions | undefined, messages: readonly Message[]) {
    this.guardrail = guardrail
    this.messages = messages
  }

  abstract accept(chunk: Chunk, out: ModelStreamEvent[], timing: StreamTiming): void

  finish(out: ModelStreamEvent[]): void {
    if (this.redaction !== undefined) out.push(this.redaction as unknown as ModelStreamEvent)
  }

  protected readTrace(trace: unknown): void {
    if (this.guardrail !== undefined && trace !== undefined) {
      this.redaction = redactBlockedContent(this.guardrail, trace, this.messages as Message[])
    }
  }
}

/** ConverseStream events, one at a time, as `ModelStreamEvent`s. */
export class ConverseStreamConverter extends GuardrailAwareConverter<ConverseStreamOutput> {
  private stopped = false

  accept(output: ConverseStreamOutput, out: ModelStreamEvent[], timing: StreamTiming): void {
    const event = mapStreamEvent(output, Math.round(timing.timeToFirstByteMs ?? 0))
    if (event === undefined) return
    if ('messageStop' in event) this.stopped = true
    out.push(event)
    this.readTrace(output.metadata?.trace)
  }

  override finish(out: ModelStreamEvent[]): void {
    // The HTTP/2 handler ends the stream quietly when its idle timeout closes it.
    if (!this.stopped) {
      throw new ModelError(
        'The Bedrock stream ended before the answer was complete (no messageStop): the connection was closed or timed out. Trying again usually helps.',
        { retryable: true },
      )
    }
    super.finish(out)
  }
}

/** A whole Converse answer, as the events a ConverseStream would have sent for it. */
export class ConverseResponseConverter extends GuardrailAwareConverter<ConverseResponse> {
  accept(response: ConverseResponse, out: ModelStreamEvent[], timing: StreamTiming): void {
    out.push(...converseResponseEvents(response, Math.round(performance.now() - timing.startedAt)))
    this.readTrace(response.trace)
  }
}
