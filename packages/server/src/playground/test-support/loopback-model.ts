import { AbortError, type Model, ModelError, type ModelRequest, type ModelStreamEvent } from '@agent/core'

/**
 * A `Model` that streams from a loopback model server over real HTTP (`fetch`), one NDJSON event per line.
 * Aborting the request's signal closes the connection, which the server records.
 */
export class LoopbackModel implements Model {
  readonly modelId = 'loopback'

  constructor(private readonly url: string) {}

  async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const signal = request.signal
    let response: Response
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: request.messages, toolSpecs: request.toolSpecs }),
        signal,
      })
    } catch (error) {
      if (signal?.aborted) throw new AbortError('The loopback model request was aborted.', { cause: error })
      throw new ModelError(`The loopback model server could not be reached: ${String(error)}`)
    }
    if (!response.ok || response.body === null) {
      throw new ModelError(`The loopback model server answered HTTP ${response.status}.`, {
        status: response.status,
      })
    }
    let buffer = ''
    try {
      for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk
        let newline = buffer.indexOf('\n')
        while (newline !== -1) {
          const line = buffer.slice(0, newline)
          buffer = buffer.slice(newline + 1)
          if (line !== '') yield JSON.parse(line) as ModelStreamEvent
          newline = buffer.indexOf('\n')
        }
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortError('The loopback model request was aborted.', { cause: error })
      throw error
    }
    if (signal?.aborted) throw new AbortError('The loopback model request was aborted.')
  }
}
