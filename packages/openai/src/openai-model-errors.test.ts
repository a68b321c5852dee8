import { join } from 'node:path'
import {
  AbortError,
  ContextWindowOverflowError,
  ModelError,
  type ModelStreamEvent,
  ModelThrottledError,
} from '@agent/core'
import { fixturesDirectory } from '@agent/core/testing'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { OpenAIModel } from './index.js'
import {
  chatEventStream,
  fixtureBytes,
  LoopbackOpenAIServer,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'
import { streamPaths } from './test-support/stream-paths.js'

const fixtures = fixturesDirectory()

const userHi = { messages: [{ role: 'user' as const, content: [{ text: 'Hi' }] }] }

async function failureOf(
  model: OpenAIModel,
  signal?: AbortSignal,
): Promise<{ error: unknown; events: ModelStreamEvent[] }> {
  const events: ModelStreamEvent[] = []
  try {
    for await (const event of model.stream({ ...userHi, signal })) events.push(event)
  } catch (error) {
    return { error, events }
  }
  throw new Error(`The stream ended without an error after ${events.length} events.`)
}

const textChunk = (content: string) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })
const finishChunk = { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }

describe.each(streamPaths)('OpenAIModel error handling through $path', ({ useClientStream }) => {
  let server: LoopbackOpenAIServer
  let model: OpenAIModel

  useLoopbackOpenAIServer((started) => {
    server = started
    model = new OpenAIModel({
      useClientStream,
      modelId: 'gpt-4o',
      clientArgs: { apiKey: 'sk-test-secret-key-123456', baseURL: server.baseURL },
    })
  })

  describe.skipIf(fixtures === undefined)('recorded error bodies', () => {
    const errors = join(fixtures ?? '', 'openai-chat', 'errors')

    it('400 unsupported_parameter → ModelError with status, code and the provider message', async () => {
      server.reply({ status: 400, body: fixtureBytes(errors, '400-unsupported-parameter.json').toString() })
      const { error } = await failureOf(model)
      expect(ModelError.isInstance(error)).toBe(true)
      expect(ContextWindowOverflowError.isInstance(error)).toBe(false)
      expect(error).toMatchObject({
        status: 400,
        retryable: false,
        message:
          "OpenAI request failed (HTTP 400) [unsupported_parameter]: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      })
    })

    it('400 from DashScope (Qwen) compat mode → ModelError with its message', async () => {
      server.reply({ status: 400, body: fixtureBytes(errors, '400-qwen-invalid-parameter.json').toString() })
      const { error } = await failureOf(model)
      expect(ModelError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ status: 400, retryable: false })
      expect((error as Error).message).toContain(
        '[invalid_parameter_error]: <400> InternalError.Algo.InvalidParameter: The "function.arguments" parameter of the code model must be in JSON format.',
      )
    })

    it('401 invalid_api_key → ModelError that says what to check and leaks no key', async () => {
      server.reply({ status: 401, body: fixtureBytes(errors, '401-invalid-api-key.json').toString() })
      const { error } = await failureOf(model)
      expect(ModelError.isInstance(error)).toBe(true)
      const message = (error as Error).message
      expect(message).toBe(
        'OpenAI request failed (HTTP 401) [invalid_api_key]: Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys. Check OPENAI_API_KEY or the apiKey client option.',
      )
      expect(message).not.toContain('not-a-r')
      expect(message).not.toContain('sk-test-secret')
      // The key did go out, as the bearer token, to the server it was meant for.
      expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-secret-key-123456')
    })
  })

  it('hand-written 400 (parameter), 400 (compatible server) and 401 bodies → the same typed errors', async () => {
    const body = (error: object, extra: object = {}) => JSON.stringify({ error, ...extra })
    server.reply({
      status: 400,
      body: body({
        message: "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens'.",
        type: 'invalid_request_error',
        param: 'max_tokens',
        code: 'unsupported_parameter',
      }),
    })
    expect((await failureOf(model)).error).toMatchObject({
      name: 'ModelError',
      status: 400,
      retryable: false,
      message:
        "OpenAI request failed (HTTP 400) [unsupported_parameter]: Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens'.",
    })
    server.reply({
      status: 400,
      body: body(
        {
          message: '<400> Bad arguments.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_parameter_error',
        },
        { id: 'chatcmpl-x', request_id: 'r-1' },
      ),
    })
    expect((await failureOf(model)).error).toMatchObject({
      status: 400,
      message: 'OpenAI request failed (HTTP 400) [invalid_parameter_error]: <400> Bad arguments.',
    })
    server.reply({
      status: 401,
      body: body({
        message: 'Incorrect API key provided: sk-wr****xyz. See your account.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      }),
    })
    const message = ((await failureOf(model)).error as Error).message
    expect(message).toMatch(
      /^OpenAI request failed \(HTTP 401\) \[invalid_api_key\]: Incorrect API key provided: \[redacted\]/,
    )
    expect(message).not.toContain('sk-wr')
  })

  it('429 with retry-after seconds → ModelThrottledError with retryAfterMs', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after': '2' },
      body: JSON.stringify({
        error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
      }),
    })
    const { error } = await failureOf(model)
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 })
  })

  it('429 with retry-after-ms → that many milliseconds, preferred over retry-after', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after-ms': '1250', 'retry-after': '9' },
      body: JSON.stringify({ error: { message: 'Slow down' } }),
    })
    const { error } = await failureOf(model)
    expect(error).toMatchObject({ name: 'ModelThrottledError', retryAfterMs: 1250 })
  })

  it('429 with retry-after as an HTTP date → the time until then', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString()
    server.reply({ status: 429, headers: { 'retry-after': at }, body: '{"error":{"message":"Slow down"}}' })
    const { error } = await failureOf(model)
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    const retryAfterMs = (error as ModelThrottledError).retryAfterMs!
    expect(retryAfterMs).toBeGreaterThan(50_000)
    expect(retryAfterMs).toBeLessThanOrEqual(60_000)
  })

  it('429 without a retry header → ModelThrottledError with no retryAfterMs', async () => {
    server.reply({ status: 429, body: '{"error":{"message":"Slow down"}}' })
    const { error } = await failureOf(model)
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    expect((error as ModelThrottledError).retryAfterMs).toBeUndefined()
  })

  it('429 insufficient_quota → a plain, non-retryable ModelError (waiting does not help)', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after': '1' },
      body: JSON.stringify({
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      }),
    })
    const { error } = await failureOf(model)
    expect(ModelError.isInstance(error)).toBe(true)
    expect(ModelThrottledError.isInstance(error)).toBe(false)
    expect(error).toMatchObject({ status: 429, retryable: false })
    expect((error as Error).message).toContain('retrying will not help')
  })

  it('400 context_length_exceeded → ContextWindowOverflowError', async () => {
    server.reply({
      status: 400,
      body: JSON.stringify({
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130532 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      }),
    })
    const { error } = await failureOf(model)
    expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: 400, retryable: false })
  })

  it('a context overflow worded by a compatible server (no code) → ContextWindowOverflowError', async () => {
    server.reply({
      status: 400,
      body: JSON.stringify({
        error: {
          message: 'the request exceeds the available context size, try increasing it',
          type: 'exceed_context_size_error',
        },
      }),
    })
    const { error } = await failureOf(model)
    expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
  })

  it('500 with an HTML body → retryable ModelError with a short excerpt of the body', async () => {
    server.reply({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: `<html><body>Bad gateway ${'x'.repeat(5000)}</body></html>`,
    })
    const { error } = await failureOf(model)
    expect(ModelError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: 502, retryable: true })
    const message = (error as Error).message
    expect(message).toContain('Bad gateway')
    expect(message.length).toBeLessThan(800)
  })

  it('sends exactly one request on a 500: the client does not retry on its own', async () => {
    const before = server.requests.length
    server.reply({ status: 500, body: '{"error":{"message":"boom"}}' })
    const { error } = await failureOf(model)
    expect(error).toMatchObject({ name: 'ModelError', status: 500, retryable: true })
    expect(server.requests.length - before).toBe(1)
  })

  it('keeps the retries of a client the user passes', async () => {
    const before = server.requests.length
    const client = new OpenAI({ apiKey: 'k', baseURL: server.baseURL, maxRetries: 1 })
    const userModel = new OpenAIModel({ useClientStream, modelId: 'gpt-4o', client })
    server.reply(
      { status: 500, headers: { 'retry-after-ms': '0' }, body: '{"error":{"message":"boom"}}' },
      { sse: chatEventStream([textChunk('ok'), finishChunk]) },
    )
    const events: ModelStreamEvent[] = []
    for await (const event of userModel.stream(userHi)) events.push(event)
    expect(server.requests.length - before).toBe(2)
    expect(events).toContainEqual({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'ok' } } })
  })

  it('an error object inside the stream → ModelError with the provider message and no status', async () => {
    server.reply({
      sse: chatEventStream([
        textChunk('Hel'),
        {
          error: {
            message: 'The server had an error while processing your request.',
            type: 'server_error',
            code: 'server_error',
          },
        },
      ]),
    })
    const { error, events } = await failureOf(model)
    expect(events).toContainEqual({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } })
    expect(ModelError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: undefined, retryable: true })
    expect((error as Error).message).toContain('The server had an error while processing your request.')
  })

  it('malformed SSE JSON → ModelError that names the problem', async () => {
    server.reply({ sse: `data: ${JSON.stringify(textChunk('Hi'))}\n\ndata: {"choices":[{"delta":\n\n` })
    const { error } = await failureOf(model)
    expect(ModelError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/malformed stream/)
  })

  it('a stream that ends before any finish_reason → retryable ModelError', async () => {
    server.reply({ sse: chatEventStream([textChunk('Hello'), textChunk(' wor')], { done: false }) })
    const { error, events } = await failureOf(model)
    expect(error).toMatchObject({ name: 'ModelError', retryable: true })
    expect((error as Error).message).toMatch(/ended before the model finished/)
    expect(events.at(-1)).toEqual({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' wor' } } })
  })

  it('[DONE] before any finish_reason → retryable ModelError, not a silent empty answer', async () => {
    server.reply({ sse: chatEventStream([textChunk('Hello')]) })
    const { error } = await failureOf(model)
    expect(error).toMatchObject({ name: 'ModelError', retryable: true })
  })

  it('an empty 200 stream → ModelError that says the server sent nothing', async () => {
    server.reply({ sse: '' })
    const { error, events } = await failureOf(model)
    expect(events).toEqual([])
    expect((error as Error).message).toMatch(/without sending any chunk/)
  })

  it('a server that ignores stream: true and answers with plain JSON → ModelError, not a hang', async () => {
    server.reply({
      status: 200,
      body: JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
      }),
    })
    const { error } = await failureOf(model)
    expect(error).toMatchObject({ name: 'ModelError', retryable: true })
    expect((error as Error).message).toMatch(/speaks the Chat Completions streaming protocol/)
  })

  it('SSE comment lines between chunks (OpenRouter keep-alives) are ignored', async () => {
    server.reply({
      sse: `: OPENROUTER PROCESSING\n\n${chatEventStream([textChunk('Hi')], { done: false })}: keep-alive\n\n${chatEventStream([finishChunk])}`,
    })
    const events: ModelStreamEvent[] = []
    for await (const event of model.stream(userHi)) events.push(event)
    expect(events.slice(0, 4)).toEqual([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
    ])
  })

  it('a connection cut mid-stream → retryable ModelError', async () => {
    server.reply({ sseThenDestroy: chatEventStream([textChunk('Hello')], { done: false }) })
    const { error } = await failureOf(model)
    expect(ModelError.isInstance(error)).toBe(true)
    expect(AbortError.isInstance(error)).toBe(false)
    expect((error as ModelError).retryable).toBe(true)
  })

  it('a server that is not listening → retryable ModelError about reaching the server', async () => {
    const gone = await LoopbackOpenAIServer.start()
    const baseURL = gone.baseURL
    await gone.close()
    const unreachable = new OpenAIModel({
      useClientStream,
      modelId: 'gpt-4o',
      clientArgs: { apiKey: 'k', baseURL },
    })
    const { error } = await failureOf(unreachable)
    expect(error).toMatchObject({ name: 'ModelError', retryable: true })
    expect((error as Error).message).toMatch(
      /^Could not reach the OpenAI server \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
    )
  })

  it('a server that never answers → ModelError about the timeout once clientArgs.timeout passes', async () => {
    server.reply({ noAnswer: true })
    const impatient = new OpenAIModel({
      useClientStream,
      modelId: 'gpt-4o',
      clientArgs: { apiKey: 'k', baseURL: server.baseURL, timeout: 50 },
    })
    const { error } = await failureOf(impatient)
    expect(error).toMatchObject({ name: 'ModelError', retryable: true })
    expect((error as Error).message).toMatch(/timed out before the server answered/)
  })

  it('two whole tool calls that a server numbers both 0 stay two calls, told apart by id', async () => {
    const whole = (id: string, city: string) => ({
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id,
                type: 'function',
                function: { name: 'weather', arguments: `{"city":"${city}"}` },
              },
            ],
          },
        },
      ],
    })
    server.reply({
      sse: chatEventStream([
        whole('call_a', 'Oslo'),
        whole('call_b', 'Rome'),
        { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      ]),
    })
    const events: ModelStreamEvent[] = []
    for await (const event of model.stream(userHi)) events.push(event)
    expect(events.slice(1, 7)).toEqual([
      {
        contentBlockStart: {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: 'call_a', name: 'weather' } },
        },
      },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":"Oslo"}' } } } },
      {
        contentBlockStart: {
          contentBlockIndex: 1,
          start: { toolUse: { toolUseId: 'call_b', name: 'weather' } },
        },
      },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":"Rome"}' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStop: { contentBlockIndex: 1 } },
    ])
  })

  it('content streamed as parts (Mistral thinking and text) becomes reasoning then text, and odd values are skipped', async () => {
    server.reply({
      sse: chatEventStream([
        {
          choices: [
            {
              index: 0,
              delta: { content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Hmm.' }] }] },
            },
          ],
        },
        {
          choices: [
            {
              index: 0,
              delta: {
                content: [{ type: 'text', text: 'Yes.' }, { type: 'image_url' }],
                reasoning: { effort: 'x' },
              },
            },
          ],
        },
        { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      ]),
    })
    const events: ModelStreamEvent[] = []
    for await (const event of model.stream(userHi)) events.push(event)
    expect(events.slice(0, 5)).toEqual([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Hmm.' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'Yes.' } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
    ])
  })

  it('a tool call that never names its function → ModelError', async () => {
    server.reply({
      sse: chatEventStream([
        {
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, id: 'call_x', function: { arguments: '{}' } }] } },
          ],
        },
        { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      ]),
    })
    const { error } = await failureOf(model)
    expect((error as Error).message).toMatch(/without a function name/)
  })

  it('a tool call without an id gets a generated one', async () => {
    server.reply({
      sse: chatEventStream([
        {
          choices: [
            {
              index: 0,
              delta: { tool_calls: [{ index: 0, function: { name: 'weather', arguments: '{}' } }] },
            },
          ],
        },
        { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      ]),
    })
    const events: ModelStreamEvent[] = []
    for await (const event of model.stream(userHi)) events.push(event)
    const start = events.find((event) => 'contentBlockStart' in event) as {
      contentBlockStart: { start: { toolUse: { toolUseId: string } } }
    }
    expect(start.contentBlockStart.start.toolUse.toolUseId).toMatch(/^call_[0-9a-f]{24}$/)
  })

  it('no API key anywhere → ModelError saying how to set one, and no request', async () => {
    const saved = process.env.OPENAI_API_KEY
    delete process.env.OPENAI_API_KEY
    try {
      const before = server.requests.length
      const keyless = new OpenAIModel({
        useClientStream,
        modelId: 'gpt-4o',
        clientArgs: { baseURL: server.baseURL },
      })
      const { error } = await failureOf(keyless)
      expect(error).toMatchObject({ name: 'ModelError' })
      expect((error as Error).message).toMatch(/set OPENAI_API_KEY/)
      expect(server.requests.length).toBe(before)
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved
    }
  })

  it('abort before sending → AbortError and no request', async () => {
    const before = server.requests.length
    const controller = new AbortController()
    controller.abort()
    const { error } = await failureOf(model, controller.signal)
    expect(AbortError.isInstance(error)).toBe(true)
    expect(server.requests.length).toBe(before)
  })

  it('abort while waiting for the response headers → AbortError, and the server sees the connection close', async () => {
    const disconnectsBefore = server.disconnectCount
    server.reply({ sseThenHang: '' })
    const controller = new AbortController()
    const requestsBefore = server.requests.length
    const failure = failureOf(model, controller.signal)
    await waitFor(() => server.requests.length > requestsBefore)
    controller.abort()
    const { error } = await failure
    expect(AbortError.isInstance(error)).toBe(true)
    await server.clientDisconnected(disconnectsBefore + 1)
  })

  it('abort mid-stream → AbortError after the events so far, and the server sees the connection close', async () => {
    const disconnectsBefore = server.disconnectCount
    server.reply({ sseThenHang: chatEventStream([textChunk('Hello')], { done: false }) })
    const controller = new AbortController()
    const events: ModelStreamEvent[] = []
    let caught: unknown
    try {
      for await (const event of model.stream({ ...userHi, signal: controller.signal })) {
        events.push(event)
        if ('contentBlockDelta' in event) controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(AbortError.isInstance(caught)).toBe(true)
    expect(caught).toBeInstanceOf(AbortError)
    expect(events).toEqual([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hello' } } },
    ])
    await server.clientDisconnected(disconnectsBefore + 1)
  })

  it('a consumer that stops reading closes the HTTP connection', async () => {
    const disconnectsBefore = server.disconnectCount
    server.reply({ sseThenHang: chatEventStream([textChunk('Hello')], { done: false }) })
    for await (const event of model.stream(userHi)) {
      if ('contentBlockDelta' in event) break
    }
    await server.clientDisconnected(disconnectsBefore + 1)
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}
