import { join } from 'node:path'
import {
  AbortError,
  ContextWindowOverflowError,
  ModelError,
  type ModelStreamEvent,
  ModelThrottledError,
} from '@agent/core'
import { fixturesDirectory } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BedrockLoopbackServer,
  corruptFrame,
  frameFromRecordedEvent,
} from './test-support/bedrock-loopback-server.js'
import { collectModelStream } from './test-support/collect-model-stream.js'
import { loopbackModel, readJson, readJsonLines } from './test-support/recorded-fixtures.js'

const fixtures = fixturesDirectory()
const request = { messages: [{ role: 'user' as const, content: [{ text: 'Hello' }] }] }

const messageStart = { event: 'messageStart', payload: { role: 'assistant' } }
const textDelta = (text: string) => ({
  event: 'contentBlockDelta',
  payload: { contentBlockIndex: 0, delta: { text } },
})

describe('Bedrock errors become typed errors', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  for (const streaming of [true, false]) {
    describe(streaming ? 'ConverseStream' : 'Converse', () => {
      it('HTTP 429 ThrottlingException → ModelThrottledError, after one attempt', async () => {
        server.reply({
          status: 429,
          headers: {
            'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
          },
          body: { message: 'Too many tokens, please wait before trying again.' },
        })
        const before = server.requests.length
        const { events, error } = await collectModelStream(
          loopbackModel(server, { streaming }).stream(request),
        )
        expect(events).toEqual([])
        expect(ModelThrottledError.isInstance(error)).toBe(true)
        expect(error.retryable).toBe(true)
        expect(error.status).toBe(429)
        expect(error.message).toContain('Too many tokens, please wait before trying again.')
        // The agent loop owns retries: the client it builds tries once.
        expect(server.requests.length - before).toBe(1)
      })

      it('ValidationException "Input is too long" → ContextWindowOverflowError', async () => {
        server.reply({
          status: 400,
          headers: { 'x-amzn-errortype': 'ValidationException' },
          body: { message: 'Input is too long for requested model.' },
        })
        const { error } = await collectModelStream(loopbackModel(server, { streaming }).stream(request))
        expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
        expect(error.status).toBe(400)
        expect(error.message).toContain('Input is too long for requested model.')
      })

      it('"prompt is too long" inside "The model returned the following errors" → ContextWindowOverflowError', async () => {
        server.reply({
          status: 400,
          headers: { 'x-amzn-errortype': 'ValidationException' },
          body: {
            message:
              'The model returned the following errors: prompt is too long: 227255 tokens > 200000 maximum',
          },
        })
        const { error } = await collectModelStream(loopbackModel(server, { streaming }).stream(request))
        expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
      })

      it('HTTP 503 ServiceUnavailableException → retryable ModelError', async () => {
        server.reply({
          status: 503,
          headers: { 'x-amzn-errortype': 'ServiceUnavailableException' },
          body: { message: 'Bedrock is unable to process your request.' },
        })
        const { error } = await collectModelStream(loopbackModel(server, { streaming }).stream(request))
        expect(ModelError.isInstance(error)).toBe(true)
        expect(ModelThrottledError.isInstance(error)).toBe(false)
        expect(error.retryable).toBe(true)
        expect(error.status).toBe(503)
        expect(error.message).toContain('ServiceUnavailableException')
      })

      it('HTTP 500 InternalServerException → retryable ModelError', async () => {
        server.reply({
          status: 500,
          headers: { 'x-amzn-errortype': 'InternalServerException' },
          body: { message: 'An internal server error occurred. Retry your request.' },
        })
        const { error } = await collectModelStream(loopbackModel(server, { streaming }).stream(request))
        expect(error.name).toBe('ModelError')
        expect(error.retryable).toBe(true)
        expect(error.status).toBe(500)
      })
    })
  }

  describe.skipIf(fixtures === undefined)('recorded error bodies', () => {
    const errors = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse', 'errors')

    it('400-validation-empty-message-with-headers → ModelError 400, not retryable, Bedrock message kept', async () => {
      const recorded = readJson(join(errors, '400-validation-empty-message-with-headers.json'))
      server.reply({ status: recorded.status, headers: recorded.headers, body: recorded.body })
      const { error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(error.name).toBe('ModelError')
      expect(ContextWindowOverflowError.isInstance(error)).toBe(false)
      expect(error.status).toBe(400)
      expect(error.retryable).toBe(false)
      expect(error.message).toContain('ValidationException')
      expect(error.message).toContain(recorded.body.message)
    })

    for (const name of [
      '400-validation-invalid-tool-name.json',
      '400-validation-model-returned-errors.json',
    ]) {
      it(`${name} → ModelError 400 with the message`, async () => {
        const body = readJson(join(errors, name))
        server.reply({ status: 400, headers: { 'x-amzn-errortype': 'ValidationException' }, body })
        const { error } = await collectModelStream(
          loopbackModel(server, { streaming: false }).stream(request),
        )
        expect(error.name).toBe('ModelError')
        expect(error.status).toBe(400)
        expect(error.retryable).toBe(false)
        expect(error.message).toContain(body.message)
      })
    }

    it('403-expired-token-with-headers → ModelError 403 that says to refresh credentials, without secrets', async () => {
      const recorded = readJson(join(errors, '403-expired-token-with-headers.json'))
      const headers = Object.fromEntries(
        Object.entries(recorded.headers as Record<string, string[]>).map(([key, values]) => [
          key.toLowerCase(),
          values[0]!,
        ]),
      )
      server.reply({ status: recorded.status, headers, body: recorded.body })
      const { error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(error.name).toBe('ModelError')
      expect(error.status).toBe(403)
      expect(error.retryable).toBe(false)
      expect(error.message).toContain('The security token included in the request is expired')
      expect(error.message).toContain('Refresh the AWS credentials')
      expect(error.message).toContain('402bd639-607f-433b-aa01-2852fc75287a')
      expect(error.message).not.toContain('loopback-secret')
      expect(error.message).not.toContain('AKIDLOOPBACK')
    })
  })

  describe('in-stream exceptions', () => {
    it('throttlingException frame → ModelThrottledError after the events before it', async () => {
      server.reply({
        frames: [
          messageStart,
          textDelta('Hel'),
          { exception: 'throttlingException', payload: { message: 'Too many requests' } },
        ],
      })
      const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(events).toEqual([
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
      ])
      expect(ModelThrottledError.isInstance(error)).toBe(true)
      expect(error.message).toContain('Too many requests')
    })

    it('validationException frame with an input-too-long message → ContextWindowOverflowError', async () => {
      server.reply({
        frames: [
          {
            exception: 'validationException',
            payload: { message: 'Input is too long for requested model.' },
          },
        ],
      })
      const { error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
    })

    it('serviceUnavailableException frame → retryable ModelError', async () => {
      server.reply({
        frames: [messageStart, { exception: 'serviceUnavailableException', payload: { message: 'busy' } }],
      })
      const { error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(error.name).toBe('ModelError')
      expect(error.retryable).toBe(true)
    })

    it('a frame with a bad CRC → retryable ModelError, never a hang', async () => {
      server.reply({
        frames: [messageStart, { bytes: corruptFrame(textDelta('lost')) }, textDelta('never read')],
      })
      const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(events).toEqual([{ messageStart: { role: 'assistant' } }])
      expect(error.name).toBe('ModelError')
      expect(error.retryable).toBe(true)
      expect(error.message).toMatch(/corrupt/)
      expect(error.message).toMatch(/checksum/)
    })

    it('a frame cut off mid-way (connection ends) → ModelError, never a hang', async () => {
      const whole = corruptFrame(textDelta('cut'))
      server.reply({ frames: [messageStart, { bytes: whole.subarray(0, 20) }] })
      const { error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(ModelError.isInstance(error)).toBe(true)
    })

    it('the HTTP/2 stream reset mid-answer → retryable ModelError', async () => {
      server.reply({ frames: [messageStart, textDelta('Hel')], reset: true })
      const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(events).toEqual([
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
      ])
      expect(error.name).toBe('ModelError')
      expect(error.message).toContain('NGHTTP2_INTERNAL_ERROR')
      expect(error.retryable).toBe(true)
    })

    it('a stream that goes silent → retryable ModelError once the configured idle timeout passes', async () => {
      server.reply({ frames: [messageStart], hang: true })
      const model = loopbackModel(server, { clientConfig: { requestHandler: { requestTimeout: 150 } } })
      const { events, error } = await collectModelStream(model.stream(request))
      expect(events).toEqual([{ messageStart: { role: 'assistant' } }])
      expect(error.name).toBe('ModelError')
      expect(error.retryable).toBe(true)
      expect(error.message).toContain('ended before the answer was complete')
      expect((await server.streamClosed.at(-1)!).endedByServer).toBe(false)
    })

    it('a stream that ends before messageStop → retryable ModelError', async () => {
      server.reply({ frames: [messageStart, textDelta('Hel')] })
      const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(events).toHaveLength(2)
      expect(error.name).toBe('ModelError')
      expect(error.retryable).toBe(true)
    })

    it('a malformed_tool_use stop → retryable ModelError', async () => {
      server.reply({
        frames: [messageStart, { event: 'messageStop', payload: { stopReason: 'malformed_tool_use' } }],
      })
      const { error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(error.name).toBe('ModelError')
      expect(error.retryable).toBe(true)
      expect(error.message).toContain('malformed_tool_use')
    })
  })

  describe('before any answer', () => {
    it('no AWS credentials → ModelError that says how to configure them', async () => {
      const model = loopbackModel(server, {
        clientConfig: {
          credentials: async () => {
            throw Object.assign(new Error('Could not load credentials from any providers'), {
              name: 'CredentialsProviderError',
            })
          },
        },
      })
      const { error } = await collectModelStream(model.stream(request))
      expect(error.name).toBe('ModelError')
      expect(error.message).toContain('AWS_ACCESS_KEY_ID')
    })

    it('nothing listening on the endpoint → retryable ModelError', async () => {
      const gone = await BedrockLoopbackServer.start()
      const endpoint = gone.endpoint
      await gone.close()
      const { error } = await collectModelStream(
        loopbackModel(server, { clientConfig: { endpoint } }).stream(request),
      )
      expect(error.name).toBe('ModelError')
      expect(error.retryable).toBe(true)
      expect(error.message).toContain('ECONNREFUSED')
    })
  })

  describe('abort', () => {
    it('Converse, while waiting for the answer → AbortError and the server sees the stream closed', async () => {
      server.reply({ frames: [], hang: true })
      const controller = new AbortController()
      const answeredBefore = server.requests.length
      const pending = collectModelStream(
        loopbackModel(server, { streaming: false }).stream({ ...request, signal: controller.signal }),
      )
      await server.answeredRequests(answeredBefore + 1)
      controller.abort()
      const { events, error } = await pending
      expect(events).toEqual([])
      expect(AbortError.isInstance(error)).toBe(true)
      expect((await server.streamClosed.at(-1)!).endedByServer).toBe(false)
    })

    it('before sending → AbortError, nothing sent', async () => {
      const before = server.requests.length
      const controller = new AbortController()
      controller.abort()
      const { error } = await collectModelStream(
        loopbackModel(server).stream({ ...request, signal: controller.signal }),
      )
      expect(AbortError.isInstance(error)).toBe(true)
      expect(error.name).toBe('AbortError')
      expect(server.requests.length).toBe(before)
    })

    it('mid-stream → AbortError and the server sees its HTTP/2 stream closed', async () => {
      server.reply({ frames: [messageStart, textDelta('Hello')], hang: true })
      const controller = new AbortController()
      const events: ModelStreamEvent[] = []
      let error: any
      try {
        for await (const event of loopbackModel(server).stream({ ...request, signal: controller.signal })) {
          events.push(event)
          if (events.length === 2) controller.abort()
        }
      } catch (thrown) {
        error = thrown
      }
      expect(events).toHaveLength(2)
      expect(AbortError.isInstance(error)).toBe(true)
      const closed = await server.streamClosed.at(-1)!
      expect(closed.endedByServer).toBe(false)
    })

    it('mid-request, while waiting for the answer → AbortError', async () => {
      server.reply({ frames: [], hang: true })
      const controller = new AbortController()
      const answeredBefore = server.requests.length
      const pending = collectModelStream(
        loopbackModel(server).stream({ ...request, signal: controller.signal }),
      )
      await server.answeredRequests(answeredBefore + 1)
      controller.abort()
      const { error } = await pending
      expect(AbortError.isInstance(error)).toBe(true)
      expect((await server.streamClosed.at(-1)!).endedByServer).toBe(false)
    })

    it('a consumer that stops reading closes the HTTP/2 stream', async () => {
      server.reply({ frames: [messageStart, textDelta('Hello')], hang: true })
      for await (const event of loopbackModel(server).stream(request)) {
        if ('contentBlockDelta' in event) break
      }
      const closed = await server.streamClosed.at(-1)!
      expect(closed.endedByServer).toBe(false)
    })
  })

  it.skipIf(fixtures === undefined)(
    'replays text.claude then fails cleanly on the next request with no reply',
    async () => {
      const recorded = readJsonLines(join(fixtures ?? '', 'bedrock-converse-stream', 'text.claude.jsonl'))
      server.reply({ frames: recorded.map(frameFromRecordedEvent) })
      const model = loopbackModel(server)
      expect((await collectModelStream(model.stream(request))).error).toBeUndefined()
      const { error } = await collectModelStream(model.stream(request))
      expect(error.name).toBe('ModelError')
      expect(error.status).toBe(500)
    },
  )
})
