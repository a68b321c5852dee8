import { loadedOpenAIModule } from './openai-module.js'
import { type SseEventSink, SseEventSplitter } from './sse-event-splitter.js'

/**
 * The JSON payloads of an OpenAI server-sent-event response, read straight from the response body's
 * byte reader: the streaming fast path. It keeps the `openai` client's stream rules so both paths give
 * the same events and errors: nothing after `[DONE]`; an `error` event, or a payload with an `error`
 * field, is an `APIError` built from it; a payload that is not JSON is a `SyntaxError`.
 */
export class SseJsonReader<Payload> implements SseEventSink {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly headers: Headers
  private readonly splitter = new SseEventSplitter(this)
  /** Filled by one `read()`, handed out, and reused by the next. */
  private readonly batch: Payload[] = []
  private finished = false
  /** `[DONE]` or a failure was seen: the rest of the body is ignored. */
  private stopped = false
  private failure: unknown

  constructor(response: Response) {
    if (response.body === null) throw new SyntaxError('Error reading response: the response has no body.')
    this.reader = response.body.getReader()
    this.headers = response.headers
  }

  /** The payloads of the next network chunk that completes at least one event; `undefined` at the end. */
  async read(): Promise<readonly Payload[] | undefined> {
    const batch = this.batch
    batch.length = 0
    for (;;) {
      // A failure is thrown after the payloads that came before it were handed out, as the client does.
      const failure = this.failure
      if (failure !== undefined) {
        this.failure = undefined
        throw failure
      }
      if (this.finished) return undefined
      const step = await this.reader.read()
      if (step.done) {
        this.finished = true
        this.splitter.end()
      } else {
        this.splitter.push(step.value)
      }
      if (this.stopped) this.cancel()
      if (batch.length > 0) return batch
    }
  }

  private fail(error: unknown): void {
    this.stopped = true
    this.failure = error
  }

  /** Stops reading; the body's cancellation ends the HTTP request. */
  cancel(): void {
    if (this.finished) return
    this.finished = true
    this.reader.cancel().catch(() => {})
  }

  onEvent(data: string, eventName: string | undefined): void {
    if (this.stopped) return
    if (data === '[DONE]') {
      this.stopped = true
      return
    }
    let payload: { error?: unknown } | null
    try {
      payload = JSON.parse(data) as { error?: unknown } | null
    } catch {
      this.fail(new SyntaxError('Error reading response: malformed server-sent event JSON.'))
      return
    }
    if (eventName === 'error') {
      this.fail(providerError((payload?.error ?? payload) as object | undefined, this.headers))
    } else if (payload?.error) {
      this.fail(providerError(payload.error as object, this.headers))
    } else {
      this.batch.push(payload as Payload)
    }
  }
}

/** The `APIError` the client builds for an error inside the stream (the package is loaded: a request is open). */
function providerError(body: object | undefined, headers: Headers): Error {
  const { APIError } = loadedOpenAIModule()!
  return new APIError(undefined, body, undefined, headers)
}
