import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  AbortError,
  Agent,
  ContextWindowOverflowError,
  type Message,
  ModelError,
  type ModelStreamEvent,
  ModelThrottledError,
  tool,
  type Usage,
} from '@agent/core'
import { collectStream, conversationProblems, fixturesDirectory } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { OpenAIResponsesModel } from './index.js'
import {
  anyMetrics,
  type ExpectedBlock,
  expectedEvents,
  type PiecesOf,
} from './test-support/expected-events.js'
import {
  fixtureBytes,
  fixtureLines,
  type LoopbackOpenAIServer,
  responsesEventStream,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'
import { streamPaths } from './test-support/stream-paths.js'

const fixtures = fixturesDirectory()
const userHi = { messages: [{ role: 'user' as const, content: [{ text: 'Hi' }] }] }

interface ResponsesFixture {
  blocks: ExpectedBlock[]
  stopReason: 'end_turn' | 'tool_use'
  usage: Usage
}

const responsesFixtures: Record<string, ResponsesFixture> = {
  'text.gpt-4.1.jsonl': {
    blocks: [{ text: 'Hello! 🌍 How can I assist you today?' }],
    stopReason: 'end_turn',
    usage: { inputTokens: 9, outputTokens: 12, totalTokens: 21 },
  },
  'function-call.gpt-4.1.jsonl': {
    blocks: [
      {
        toolUse: {
          toolUseId: 'call_lGe2JKQEBSP15opZ3KfxtEUC',
          name: 'get_current_weather',
          input: '{"location":"Boston, MA","unit":"celsius"}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 75, outputTokens: 23, totalTokens: 98 },
  },
  'azure-text.jsonl': {
    blocks: [{ text: 'Hello' }],
    stopReason: 'end_turn',
    usage: { inputTokens: 11, outputTokens: 11, totalTokens: 22 },
  },
  'azure-function-call.jsonl': {
    blocks: [
      {
        toolUse: {
          toolUseId: 'call_H5DxLSFnsGhiROnUiDHmgyc8',
          name: 'weather',
          input: '{"location":"San Francisco"}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 45, outputTokens: 24, totalTokens: 69 },
  },
}

function recordedPieces(lines: string[]): PiecesOf {
  const events = lines.map((line) => JSON.parse(line) as { type: string; delta?: string })
  return (block) => {
    const type = 'toolUse' in block ? 'response.function_call_arguments.delta' : 'response.output_text.delta'
    return events.flatMap((event) => (event.type === type && event.delta ? [event.delta] : []))
  }
}

async function streamAll(
  model: OpenAIResponsesModel,
  request: Parameters<OpenAIResponsesModel['stream']>[0] = userHi,
) {
  const events: ModelStreamEvent[] = []
  for await (const event of model.stream(request)) events.push(event)
  return events
}

async function failureOf(model: OpenAIResponsesModel, signal?: AbortSignal) {
  const events: ModelStreamEvent[] = []
  try {
    for await (const event of model.stream({ ...userHi, signal })) events.push(event)
  } catch (error) {
    return { error, events }
  }
  throw new Error(`The stream ended without an error after ${events.length} events.`)
}

describe.each(streamPaths)('OpenAIResponsesModel through $path', ({ useClientStream }) => {
  let server: LoopbackOpenAIServer
  let model: OpenAIResponsesModel

  useLoopbackOpenAIServer((started) => {
    server = started
    model = new OpenAIResponsesModel({
      useClientStream,
      modelId: 'gpt-4.1',
      clientArgs: { apiKey: 'test-key', baseURL: server.baseURL },
    })
  })

  describe.skipIf(fixtures === undefined)('recorded streams', () => {
    const directory = join(fixtures ?? '', 'openai-responses')

    it('has an expectation for every recording in the folder', () => {
      const recorded = readdirSync(directory).filter((name) => name.endsWith('.jsonl'))
      expect(recorded.sort()).toEqual(
        [...Object.keys(responsesFixtures), 'error-event-mid-stream.jsonl'].sort(),
      )
    })

    for (const [file, expected] of Object.entries(responsesFixtures)) {
      it(`streams ${file} as the expected events`, async () => {
        const lines = fixtureLines(directory, file)
        server.reply({ sse: responsesEventStream(lines), pieceSize: 64 })
        const events = await streamAll(model)
        expect(events).toEqual(
          expectedEvents(expected.blocks, expected.stopReason, expected.usage, recordedPieces(lines)),
        )
        const request = server.requests.at(-1)!
        expect(request.path).toBe('/v1/responses')
        expect(request.body).toMatchObject({ model: 'gpt-4.1', stream: true, store: false })
      })
    }

    it('error-event-mid-stream.jsonl → non-retryable ModelError with the quota message, after messageStart', async () => {
      server.reply({ sse: responsesEventStream(fixtureLines(directory, 'error-event-mid-stream.jsonl')) })
      const { error, events } = await failureOf(model)
      expect(events).toEqual([{ messageStart: { role: 'assistant' } }])
      expect(ModelError.isInstance(error)).toBe(true)
      expect(ModelThrottledError.isInstance(error)).toBe(false)
      expect(error).toMatchObject({ retryable: false, status: undefined })
      expect((error as Error).message).toContain('[insufficient_quota]: You exceeded your current quota')
    })

    it('the response.failed event alone (no error event) → ModelError with its message', async () => {
      const lines = fixtureLines(directory, 'error-event-mid-stream.jsonl').filter(
        (line) => !line.startsWith('{"type":"error"'),
      )
      server.reply({ sse: responsesEventStream(lines) })
      const { error } = await failureOf(model)
      expect(ModelError.isInstance(error)).toBe(true)
      expect((error as Error).message).toContain('OpenAI Responses stream error [insufficient_quota]')
    })

    it('400 model_not_found body → ModelError that says to check the model id', async () => {
      server.reply({
        status: 400,
        body: fixtureBytes(directory, 'errors', '400-invalid-model.json').toString(),
      })
      const { error } = await failureOf(model)
      expect(error).toMatchObject({ name: 'ModelError', status: 400, retryable: false })
      expect((error as Error).message).toBe(
        "OpenAI Responses request failed (HTTP 400) [model_not_found]: The requested model 'invalid-model' does not exist. Check the modelId and the base URL.",
      )
    })

    it('runs an agent tool turn: the function call output goes back in the next request', async () => {
      const weather = tool({
        name: 'get_current_weather',
        description: 'Weather for a location',
        inputSchema: z.object({ location: z.string(), unit: z.enum(['celsius', 'fahrenheit']) }),
        callback: (input) => `12 degrees ${input.unit} in ${input.location}`,
      })
      const agent = new Agent({ model, tools: [weather], systemPrompt: 'Be brief.', callbackHandler: null })
      server.reply(
        { sse: responsesEventStream(fixtureLines(directory, 'function-call.gpt-4.1.jsonl')) },
        { sse: responsesEventStream(fixtureLines(directory, 'azure-text.jsonl')) },
      )
      const first = server.requests.length
      const { result, error, events } = await collectStream(agent.stream('Weather in Boston?'))
      expect(error).toBeUndefined()
      expect(String(result)).toBe('Hello')
      expect(events.filter((event) => event.type === 'tool_use_stream').length).toBeGreaterThan(3)
      const [firstBody, secondBody] = server.requests.slice(first).map((request) => request.body!)
      expect(firstBody!.instructions).toBe('Be brief.')
      expect(firstBody!.tools).toEqual([
        {
          type: 'function',
          name: 'get_current_weather',
          description: 'Weather for a location',
          parameters: expect.objectContaining({ type: 'object' }),
          strict: false,
        },
      ])
      expect(secondBody!.input).toEqual([
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Boston?' }] },
        {
          type: 'function_call',
          call_id: 'call_lGe2JKQEBSP15opZ3KfxtEUC',
          name: 'get_current_weather',
          arguments: '{"location":"Boston, MA","unit":"celsius"}',
        },
        {
          type: 'function_call_output',
          call_id: 'call_lGe2JKQEBSP15opZ3KfxtEUC',
          output: '12 degrees celsius in Boston, MA',
        },
      ])
      expect(conversationProblems(agent.messages)).toEqual([])
    })
  })

  it('streams reasoning summaries as one reasoning block, parts as paragraphs', async () => {
    server.reply({
      sse: responsesEventStream([
        { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
        { type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', id: 'rs_1' } },
        { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, delta: 'Think' },
        { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 0, delta: 'ing.' },
        { type: 'response.reasoning_summary_text.delta', output_index: 0, summary_index: 1, delta: 'More.' },
        { type: 'response.output_item.done', output_index: 0, item: { type: 'reasoning', id: 'rs_1' } },
        { type: 'response.output_text.delta', output_index: 1, content_index: 0, delta: 'Answer' },
        { type: 'response.output_item.done', output_index: 1, item: { type: 'message' } },
        {
          type: 'response.completed',
          response: {
            status: 'completed',
            usage: {
              input_tokens: 10,
              output_tokens: 20,
              total_tokens: 30,
              input_tokens_details: { cached_tokens: 8 },
            },
          },
        },
      ]),
    })
    expect(await streamAll(model)).toEqual([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Think' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'ing.' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: '\n\nMore.' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'Answer' } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: 'end_turn' } },
      {
        metadata: {
          usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30, cacheReadInputTokens: 8 },
          metrics: anyMetrics,
        },
      },
    ])
  })

  it('response.incomplete for max_output_tokens → stop reason max_tokens', async () => {
    server.reply({
      sse: responsesEventStream([
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Once upon' },
        {
          type: 'response.incomplete',
          response: {
            status: 'incomplete',
            incomplete_details: { reason: 'max_output_tokens' },
            usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 },
          },
        },
      ]),
    })
    const events = await streamAll(model)
    expect(events.slice(-3)).toEqual([
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'max_tokens' } },
      { metadata: { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, metrics: anyMetrics } },
    ])
  })

  it('a function call whose arguments come only whole, in output_item.done, still streams them', async () => {
    server.reply({
      sse: responsesEventStream([
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { type: 'function_call', call_id: 'call_9', name: 'weather', arguments: '' },
        },
        {
          type: 'response.output_item.done',
          output_index: 0,
          item: { type: 'function_call', call_id: 'call_9', name: 'weather', arguments: '{"city":"Oslo"}' },
        },
        { type: 'response.completed', response: { status: 'completed' } },
      ]),
    })
    expect(await streamAll(model)).toEqual([
      { messageStart: { role: 'assistant' } },
      {
        contentBlockStart: {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: 'call_9', name: 'weather' } },
        },
      },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":"Oslo"}' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { metrics: anyMetrics } },
    ])
  })

  it('a context_length_exceeded failure mid-stream → ContextWindowOverflowError', async () => {
    server.reply({
      sse: responsesEventStream([
        { type: 'response.created', response: { status: 'in_progress' } },
        {
          type: 'response.failed',
          response: {
            status: 'failed',
            error: {
              code: 'context_length_exceeded',
              message: 'Your input exceeds the context window of this model.',
            },
          },
        },
      ]),
    })
    const { error } = await failureOf(model)
    expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
  })

  it('a stream that ends before response.completed → retryable ModelError', async () => {
    server.reply({
      sse: responsesEventStream([
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hi' },
      ]),
    })
    const { error } = await failureOf(model)
    expect(error).toMatchObject({ name: 'ModelError', retryable: true })
    expect((error as Error).message).toMatch(/ended before response.completed/)
  })

  it('arguments for a call that was never announced → ModelError', async () => {
    server.reply({
      sse: responsesEventStream([
        { type: 'response.function_call_arguments.delta', output_index: 3, delta: '{}' },
      ]),
    })
    const { error } = await failureOf(model)
    expect((error as Error).message).toMatch(/not an open function call/)
  })

  it('abort before sending → AbortError and no request', async () => {
    const before = server.requests.length
    const controller = new AbortController()
    controller.abort()
    const { error } = await failureOf(model, controller.signal)
    expect(AbortError.isInstance(error)).toBe(true)
    expect(server.requests.length).toBe(before)
  })

  it('HTTP 429 with retry-after → ModelThrottledError with retryAfterMs', async () => {
    server.reply({
      status: 429,
      headers: { 'retry-after': '3' },
      body: '{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}',
    })
    const { error } = await failureOf(model)
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ status: 429, retryAfterMs: 3000 })
  })

  it('abort mid-stream → AbortError, and the server sees the connection close', async () => {
    const disconnects = server.disconnectCount
    server.reply({
      sseThenHang: responsesEventStream([
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hi' },
      ]),
    })
    const controller = new AbortController()
    let caught: unknown
    try {
      for await (const event of model.stream({ ...userHi, signal: controller.signal })) {
        if ('contentBlockDelta' in event) controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(AbortError.isInstance(caught)).toBe(true)
    await server.clientDisconnected(disconnects + 1)
  })

  it('sends images, files, tool calls, tool results (with an image) and params in Responses shape', async () => {
    const png = Buffer.from('89504e47', 'hex').toString('base64')
    const messages: Message[] = [
      {
        role: 'user',
        content: [
          { text: 'Read this.' },
          { image: { format: 'png', source: { bytes: png } } },
          { document: { format: 'pdf', name: 'a.pdf', source: { bytes: png } } },
          { document: { format: 'txt', name: 'b', source: { text: 'plain' } } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'hidden' } } },
          { text: 'Let me look.' },
          { toolUse: { toolUseId: 'call_a', name: 'camera', input: { zoom: 2 } } },
          { toolUse: { toolUseId: 'call_b', name: 'camera', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            toolResult: {
              toolUseId: 'call_a',
              status: 'success',
              content: [{ text: 'photo:' }, { image: { format: 'png', source: { bytes: png } } }],
            },
          },
          { toolResult: { toolUseId: 'call_b', status: 'error', content: [{ text: 'lens cap on' }] } },
        ],
      },
    ]
    server.reply({
      sse: responsesEventStream([{ type: 'response.completed', response: { status: 'completed' } }]),
    })
    const tuned = new OpenAIResponsesModel({
      useClientStream,
      modelId: 'o4-mini',
      clientArgs: { apiKey: 'k', baseURL: server.baseURL },
      params: {
        store: true,
        reasoning: { effort: 'low', summary: 'auto' },
        max_output_tokens: 100,
        stream: false,
      },
    })
    await streamAll(tuned, {
      messages,
      toolSpecs: [{ name: 'camera', description: 'Takes a photo', inputSchema: { type: 'object' } }],
      toolChoice: { tool: { name: 'camera' } },
    })
    const body = server.requests.at(-1)!.body!
    expect(body).toMatchObject({
      model: 'o4-mini',
      stream: true,
      store: true,
      reasoning: { effort: 'low', summary: 'auto' },
      max_output_tokens: 100,
      tool_choice: { type: 'function', name: 'camera' },
    })
    expect(body.input).toEqual([
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'Read this.' },
          { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'auto' },
          { type: 'input_file', filename: 'a.pdf', file_data: `data:application/pdf;base64,${png}` },
          { type: 'input_text', text: 'Document "b":\nplain' },
        ],
      },
      { role: 'assistant', content: 'Let me look.' },
      { type: 'function_call', call_id: 'call_a', name: 'camera', arguments: '{"zoom":2}' },
      { type: 'function_call', call_id: 'call_b', name: 'camera', arguments: '{}' },
      {
        type: 'function_call_output',
        call_id: 'call_a',
        output: [
          { type: 'input_text', text: 'photo:' },
          { type: 'input_image', image_url: `data:image/png;base64,${png}`, detail: 'auto' },
        ],
      },
      { type: 'function_call_output', call_id: 'call_b', output: 'Error: lens cap on' },
    ])
    expect(body).not.toHaveProperty('instructions')
  })
})
