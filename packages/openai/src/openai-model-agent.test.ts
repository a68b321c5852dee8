import { join } from 'node:path'
import { AbortError, Agent, type AgentEvent, ModelError, ModelThrottledError, tool } from '@agent/core'
import { collectStream, conversationProblems, eventTypes, fixturesDirectory } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { OpenAIModel } from './index.js'
import {
  chatEventStream,
  fixtureBytes,
  fixtureLines,
  type LoopbackOpenAIServer,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'

const fixtures = fixturesDirectory()

function weatherTool(calls: unknown[]) {
  return tool({
    name: 'GetWeatherArgs',
    description: 'Current weather for a city',
    inputSchema: z.object({ city: z.string(), country: z.string(), units: z.enum(['c', 'f']) }),
    callback: (input) => {
      calls.push(input)
      return { temperature: 14, units: input.units, city: input.city }
    },
  })
}

const stockTool = tool({
  name: 'get_stock_price',
  description: 'Latest price of a stock',
  inputSchema: z.object({ ticker: z.string(), exchange: z.string() }),
  callback: (input) => `${input.ticker} on ${input.exchange}: 123.45`,
})

const answer = (text: string) =>
  chatEventStream([
    { choices: [{ index: 0, delta: { role: 'assistant', content: text }, finish_reason: null }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    { choices: [], usage: { prompt_tokens: 120, completion_tokens: 9, total_tokens: 129 } },
  ])

describe.skipIf(fixtures === undefined)('Agent on OpenAIModel over a real socket', () => {
  const directory = join(fixtures ?? '', 'openai-chat')
  let server: LoopbackOpenAIServer
  let model: OpenAIModel

  useLoopbackOpenAIServer((started) => {
    server = started
    model = new OpenAIModel({
      modelId: 'gpt-4o',
      clientArgs: { apiKey: 'test-key', baseURL: server.baseURL },
    })
  })

  it('runs a recorded tool call, sends the result back in the next request, and answers', async () => {
    const calls: unknown[] = []
    const agent = new Agent({
      model,
      tools: [weatherTool(calls)],
      systemPrompt: 'You are a weather bot.',
      callbackHandler: null,
    })
    server.reply(
      { sse: fixtureBytes(directory, 'tool-call-single.gpt-4o.sse') },
      { sse: answer('It is 14°C in Edinburgh.') },
    )
    const first = server.requests.length

    const { events, result, error } = await collectStream(agent.stream('What is the weather in Edinburgh?'))
    expect(error).toBeUndefined()
    expect(String(result)).toBe('It is 14°C in Edinburgh.')
    expect(result?.stopReason).toBe('end_turn')
    expect(calls).toEqual([{ city: 'Edinburgh', country: 'UK', units: 'c' }])

    // Tool input streamed live: one tool_use_stream event per argument piece of the recording.
    const toolStreams = events.filter((event) => event.type === 'tool_use_stream')
    expect(toolStreams).toHaveLength(14)
    expect(eventTypes(events).slice(0, 4)).toEqual([
      'init_event_loop',
      'start_event_loop',
      'model_stream:messageStart',
      'model_stream:contentBlockStart',
    ])

    // What the server received on the second call: the assistant's tool call and the tool's result.
    const [firstRequest, secondRequest] = server.requests.slice(first).map((request) => request.body!)
    expect(firstRequest!.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'GetWeatherArgs',
          description: 'Current weather for a city',
          parameters: expect.objectContaining({ type: 'object', required: ['city', 'country', 'units'] }),
        },
      },
    ])
    expect(secondRequest!.messages).toEqual([
      { role: 'system', content: 'You are a weather bot.' },
      { role: 'user', content: 'What is the weather in Edinburgh?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_c91SqDXlYFuETYv8mUHzz6pp',
            type: 'function',
            function: {
              name: 'GetWeatherArgs',
              arguments: '{"city":"Edinburgh","country":"UK","units":"c"}',
            },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'call_c91SqDXlYFuETYv8mUHzz6pp',
        content: '{"temperature":14,"units":"c","city":"Edinburgh"}',
      },
    ])
    expect(result?.metrics).toBeDefined()
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it("resolves the model string 'openai:<id>' to an OpenAIModel configured from the environment", async () => {
    const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL }
    process.env.OPENAI_API_KEY = 'env-key'
    process.env.OPENAI_BASE_URL = server.baseURL
    try {
      const agent = new Agent({ model: 'openai:my-local-model', callbackHandler: null })
      // Core imports the built package, a different module instance than this source: compare by shape.
      const resolved = await agent.model
      expect(resolved.constructor.name).toBe('OpenAIModel')
      expect(resolved.modelId).toBe('my-local-model')
      server.reply({ sse: answer('From the environment.') })
      const result = await agent.invoke('Hi')
      expect(String(result)).toBe('From the environment.')
      const request = server.requests.at(-1)!
      expect(request.body!.model).toBe('my-local-model')
      expect(request.headers.authorization).toBe('Bearer env-key')
    } finally {
      restore('OPENAI_API_KEY', saved.key)
      restore('OPENAI_BASE_URL', saved.url)
    }
  })

  it('runs two recorded parallel tool calls and returns both results in call order', async () => {
    const agent = new Agent({ model, tools: [weatherTool([]), stockTool], callbackHandler: null })
    server.reply({ sse: fixtureBytes(directory, 'tool-calls-parallel.gpt-4o.sse') }, { sse: answer('Done.') })
    const first = server.requests.length
    const result = await agent.invoke('Weather in Edinburgh and the AAPL price?')
    expect(String(result)).toBe('Done.')
    const messages = server.requests[first + 1]!.body!.messages as {
      role: string
      tool_call_id?: string
      content: unknown
    }[]
    expect(messages.filter((message) => message.role === 'tool')).toEqual([
      {
        role: 'tool',
        tool_call_id: 'call_JMW1whyEaYG438VE1OIflxA2',
        content: '{"temperature":14,"units":"c","city":"Edinburgh"}',
      },
      { role: 'tool', tool_call_id: 'call_DNYTawLBoN8fj3KN6qU9N1Ou', content: 'AAPL on NASDAQ: 123.45' },
    ])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('sends an unknown tool as an error result the model can read, marked as an error', async () => {
    // The qwen recording calls `weather`, which this agent does not have.
    const agent = new Agent({ model, tools: [stockTool], callbackHandler: null })
    server.reply(
      { sse: chatEventStream(fixtureLines(directory, 'tool-call-split-args-with-usage.qwen3-max.jsonl')) },
      { sse: answer('Sorry, I cannot check the weather.') },
    )
    const first = server.requests.length
    await agent.invoke('Weather in San Francisco?')
    const messages = server.requests[first + 1]!.body!.messages as { role: string; content: string }[]
    const toolMessage = messages.find((message) => message.role === 'tool')!
    expect(toolMessage.content).toMatch(/^Error: /)
    expect(toolMessage.content).toContain('weather')
    expect(toolMessage.content).not.toMatch(/^Error: Error/)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('keeps reasoning in the conversation and streams it as reasoning events', async () => {
    const agent = new Agent({ model, callbackHandler: null })
    server.reply({
      sse: chatEventStream(fixtureLines(directory, 'reasoning-content-with-usage.deepseek-v4-pro.jsonl')),
    })
    const { events, result } = await collectStream(agent.stream('What is 17 * 23?'))
    expect(String(result)).toBe('The product of 17 and 23 is 391.')
    expect(events.filter((event) => event.type === 'reasoning').length).toBeGreaterThan(5)
    expect(agent.messages.at(-1)!.content[0]).toMatchObject({
      reasoningContent: { reasoningText: { text: expect.stringMatching(/^We are asked/) } },
    })
  })

  it('a provider error ends the run with the typed error and a valid conversation', async () => {
    const agent = new Agent({ model, callbackHandler: null })
    server.reply({
      status: 401,
      body: fixtureBytes(fixtures ?? '', 'openai-chat', 'errors', '401-invalid-api-key.json').toString(),
    })
    const { events, error } = await collectStream(agent.stream('Hi'))
    expect(ModelError.isInstance(error)).toBe(true)
    expect(events.at(-1)?.type).toBe('force_stop')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('a 429 surfaces as ModelThrottledError with the server retry hint', async () => {
    // Retries are the loop's business (tested in core); here the provider's error must surface as it is.
    const agent = new Agent({ model, callbackHandler: null, retryStrategy: null })
    for (let attempt = 0; attempt < 1; attempt++) {
      server.reply({
        status: 429,
        headers: { 'retry-after-ms': '1' },
        body: '{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}',
      })
    }
    const { error } = await collectStream(agent.stream('Hi'))
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    expect((error as ModelThrottledError).retryAfterMs).toBe(1)
    server.clearReplies()
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('a cut stream mid tool call leaves no half tool use in the conversation', async () => {
    const agent = new Agent({ model, tools: [weatherTool([])], callbackHandler: null })
    const lines = fixtureLines(directory, 'tool-call-single.gpt-4o.jsonl').slice(0, 6)
    server.reply({ sseThenDestroy: chatEventStream(lines, { done: false }) })
    const { error } = await collectStream(agent.stream('Weather?'))
    expect(ModelError.isInstance(error)).toBe(true)
    expect(agent.messages.some((message) => message.content.some((block) => 'toolUse' in block))).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('aborting the run mid-stream closes the HTTP connection and throws AbortError', async () => {
    const agent = new Agent({ model, callbackHandler: null })
    const disconnects = server.disconnectCount
    server.reply({
      sseThenHang: chatEventStream(
        [{ choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] }],
        { done: false },
      ),
    })
    const controller = new AbortController()
    const seen: AgentEvent[] = []
    let caught: unknown
    try {
      for await (const event of agent.stream('Hi', { signal: controller.signal })) {
        seen.push(event)
        if (event.type === 'data') controller.abort()
      }
    } catch (error) {
      caught = error
    }
    expect(AbortError.isInstance(caught)).toBe(true)
    expect(seen.some((event) => event.type === 'data')).toBe(true)
    await server.clientDisconnected(disconnects + 1)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
