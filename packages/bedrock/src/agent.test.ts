import { join } from 'node:path'
import { Agent, type AgentEvent, ModelThrottledError, resolveModel, tool } from '@agent/core'
import { collectStream, conversationProblems, eventTypes, fixturesDirectory } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { BedrockModel } from './bedrock-model.js'
import {
  BedrockLoopbackServer,
  frameFromRecordedEvent,
  type WireFrame,
} from './test-support/bedrock-loopback-server.js'
import { loopbackModel, readJson, readJsonLines } from './test-support/recorded-fixtures.js'

const fixtures = fixturesDirectory()
const streamDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse-stream')
const converseDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse')

function fetchConceptTool(seen: unknown[]) {
  return tool({
    name: 'fetch_concept',
    description: 'Fetches an expert explanation of a concept.',
    inputSchema: z.object({ concept: z.string() }),
    callback: (input) => {
      seen.push(input)
      return `${input.concept}: following one request across services.`
    },
  })
}

describe.skipIf(fixtures === undefined)('a full agent tool turn on BedrockModel', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  for (const streaming of [true, false]) {
    it(`${streaming ? 'ConverseStream' : 'Converse'}: tool call, tool result sent back, final answer`, async () => {
      const first = streaming
        ? {
            frames: readJsonLines(
              join(streamDirectory, 'text-then-tool-use-split-input.claude-3-sonnet.jsonl'),
            ).map(frameFromRecordedEvent),
          }
        : { status: 200, body: readJson(join(converseDirectory, 'text-and-tool-use.claude-3-sonnet.json')) }
      const second = streaming
        ? { frames: readJsonLines(join(streamDirectory, 'text.claude.jsonl')).map(frameFromRecordedEvent) }
        : { status: 200, body: readJson(join(converseDirectory, 'text.claude.json')) }
      server.reply(first, second)
      const before = server.requests.length
      const seen: unknown[] = []
      const agent = new Agent({
        model: loopbackModel(server, { streaming }),
        tools: [fetchConceptTool(seen)],
        systemPrompt: 'You explain concepts.',
        callbackHandler: null,
      })
      const { events, result, error } = await collectStream(agent.stream('Explain distributed tracing.'))
      expect(error).toBeUndefined()
      expect(seen).toEqual([{ concept: 'distributed tracing' }])
      expect(result?.stopReason).toBe('end_turn')
      expect(String(result)).toContain('strawberry')
      expect(conversationProblems(agent.messages)).toEqual([])
      expect(agent.messages.map((message) => message.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
      ])

      const types = eventTypes(events as AgentEvent[])
      expect(types.slice(0, 3)).toEqual(['init_event_loop', 'start_event_loop', 'model_stream:messageStart'])
      expect(types).toContain('tool_use_stream')
      expect(types.filter((type) => type === 'start_event_loop')).toHaveLength(2)
      expect(types.slice(-4)).toEqual([
        'model_stream:messageStop',
        'model_stream:metadata',
        'message',
        'result',
      ])
      // Tool input arrives piece by piece when streaming, in one piece otherwise.
      expect(types.filter((type) => type === 'tool_use_stream').length).toBe(streaming ? 6 : 1)
      expect(JSON.parse(JSON.stringify(events))).toEqual(events)

      // The server saw the tool use and its result in the second request.
      expect(server.requests.length - before).toBe(2)
      const body = server.requests.at(-1)!.body
      expect(body.system).toEqual([{ text: 'You explain concepts.' }])
      expect(body.toolConfig.tools[0].toolSpec.name).toBe('fetch_concept')
      expect(body.messages).toHaveLength(3)
      const toolUse = body.messages[1].content.find((block: any) => 'toolUse' in block).toolUse
      expect(toolUse.input).toEqual({ concept: 'distributed tracing' })
      expect(body.messages[2]).toEqual({
        role: 'user',
        content: [
          {
            toolResult: {
              toolUseId: toolUse.toolUseId,
              status: 'success',
              content: [{ text: 'distributed tracing: following one request across services.' }],
            },
          },
        ],
      })
      expect(result?.metrics).toBeDefined()
    })
  }

  it('empty text blocks streamed by a model are not sent back (Bedrock rejects blank text)', async () => {
    const kimi = readJsonLines(join(streamDirectory, 'reasoning-then-tool-use.kimi-k2-thinking.jsonl'))
    server.reply(
      { frames: kimi.map(frameFromRecordedEvent) },
      {
        frames: readJsonLines(join(streamDirectory, 'text-ok.claude-sonnet-4-6.jsonl')).map(
          frameFromRecordedEvent,
        ),
      },
    )
    const globSearch = tool({
      name: 'glob_search',
      description: 'Finds files.',
      inputSchema: z.object({ pattern: z.string() }),
      callback: () => 'src/cursor.ts',
    })
    const agent = new Agent({
      model: loopbackModel(server, { modelId: 'moonshot.kimi-k2-thinking' }),
      tools: [globSearch],
      callbackHandler: null,
    })
    const result = await agent.invoke('Find the cursor files.')
    expect(String(result)).toBe('OK.')
    const sent = server.requests.at(-1)!.body.messages[1].content
    expect(sent.some((block: any) => block.text === '')).toBe(false)
    expect(sent.map((block: any) => Object.keys(block)[0])).toEqual(['reasoningContent', 'toolUse'])
    expect(server.requests.at(-1)!.body.messages[2].content[0].toolResult.status).toBeUndefined()
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('an in-stream throttling error ends the run with ModelThrottledError and a valid conversation', async () => {
    const head = readJsonLines(join(streamDirectory, 'text.claude.jsonl')).slice(0, 4)
    server.reply({
      frames: [
        ...head.map(frameFromRecordedEvent),
        { exception: 'throttlingException', payload: { message: 'Slow down' } },
      ],
    })
    // Retries are the loop's business (tested in core); here the provider's error must surface as it is.
    const agent = new Agent({ model: loopbackModel(server), callbackHandler: null, retryStrategy: null })
    const { events, error } = await collectStream(agent.stream('Count the r in strawberry.'))
    expect(ModelThrottledError.isInstance(error)).toBe(true)
    expect(eventTypes(events as AgentEvent[]).at(-1)).toBe('force_stop')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('breaking out of the agent stream mid-answer closes the HTTP/2 stream and keeps the conversation valid', async () => {
    const head = readJsonLines(
      join(streamDirectory, 'text-then-tool-use-split-input.claude-3-sonnet.jsonl'),
    ).slice(0, 25)
    server.reply({ frames: head.map(frameFromRecordedEvent), hang: true })
    const agent = new Agent({
      model: loopbackModel(server),
      tools: [fetchConceptTool([])],
      callbackHandler: null,
    })
    for await (const event of agent.stream('Explain distributed tracing.')) {
      if (event.type === 'tool_use_stream') break
    }
    expect((await server.streamClosed.at(-1)!).endedByServer).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('guardrail redaction', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  const blockedTrace = {
    guardrail: {
      inputAssessment: {
        'gr-123': {
          topicPolicy: { topics: [{ name: 'Finance', type: 'DENY', action: 'BLOCKED', detected: true }] },
        },
      },
      outputAssessments: {
        'gr-123': [
          {
            contentPolicy: {
              filters: [{ type: 'HATE', confidence: 'HIGH', action: 'BLOCKED', detected: true }],
            },
          },
        ],
      },
    },
  }
  const blockedAnswer = (trace: unknown): WireFrame[] => [
    { event: 'messageStart', payload: { role: 'assistant' } },
    {
      event: 'contentBlockDelta',
      payload: { contentBlockIndex: 0, delta: { text: 'Sorry, I cannot help with that.' } },
    },
    { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    { event: 'messageStop', payload: { stopReason: 'guardrail_intervened' } },
    {
      event: 'metadata',
      payload: {
        usage: { inputTokens: 5, outputTokens: 0, totalTokens: 5 },
        metrics: { latencyMs: 3 },
        trace,
      },
    },
  ]

  it('replaces blocked input in the conversation, streams the trace and a redactContent notice', async () => {
    server.reply({ frames: blockedAnswer(blockedTrace) })
    const agent = new Agent({
      model: loopbackModel(server, { guardrail: { id: 'gr-123', version: '1', redactOutput: true } }),
      callbackHandler: null,
    })
    const { events, result, error } = await collectStream(agent.stream('Which stock should I buy?'))
    expect(error).toBeUndefined()
    expect(result?.stopReason).toBe('guardrail_intervened')
    expect(server.requests.at(-1)!.body.guardrailConfig).toEqual({
      guardrailIdentifier: 'gr-123',
      guardrailVersion: '1',
      trace: 'enabled',
    })
    const modelEvents = events.flatMap((event) =>
      event.type === 'model_stream' ? [event.event as object] : [],
    )
    expect(modelEvents.find((event) => 'metadata' in event)).toMatchObject({
      metadata: { trace: blockedTrace },
    })
    expect(modelEvents.at(-1)).toEqual({
      redactContent: {
        redactUserContentMessage: '[User input redacted.]',
        redactAssistantContentMessage: '[Assistant output redacted.]',
      },
    })
    expect(agent.messages[0]).toEqual({ role: 'user', content: [{ text: '[User input redacted.]' }] })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('leaves the input alone when redactInput is false or nothing was blocked', async () => {
    server.reply({ frames: blockedAnswer(blockedTrace) })
    const keep = new Agent({
      model: loopbackModel(server, { guardrail: { id: 'gr-123', version: '1', redactInput: false } }),
      callbackHandler: null,
    })
    await keep.invoke('Which stock should I buy?')
    expect(keep.messages[0]).toEqual({ role: 'user', content: [{ text: 'Which stock should I buy?' }] })

    const passed = {
      guardrail: {
        inputAssessment: { 'gr-123': { topicPolicy: { topics: [{ action: 'NONE', detected: false }] } } },
      },
    }
    server.reply({ frames: blockedAnswer(passed) })
    const clean = new Agent({
      model: loopbackModel(server, { guardrail: { id: 'gr-123', version: '1' } }),
      callbackHandler: null,
    })
    const { events } = await collectStream(clean.stream('Hello'))
    expect(clean.messages[0]).toEqual({ role: 'user', content: [{ text: 'Hello' }] })
    expect(
      events.some((event) => event.type === 'model_stream' && 'redactContent' in (event.event as object)),
    ).toBe(false)
  })

  it('Converse: redacts from the response trace too, with a custom message', async () => {
    server.reply({
      status: 200,
      body: {
        output: { message: { role: 'assistant', content: [{ text: 'Sorry.' }] } },
        stopReason: 'guardrail_intervened',
        usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 },
        metrics: { latencyMs: 2 },
        trace: blockedTrace,
      },
    })
    const agent = new Agent({
      model: loopbackModel(server, {
        streaming: false,
        guardrail: { id: 'gr-123', version: '1', redactInputMessage: '[removed]' },
      }),
      callbackHandler: null,
    })
    await agent.invoke('Which stock should I buy?')
    expect(agent.messages[0]).toEqual({ role: 'user', content: [{ text: '[removed]' }] })
  })
})

describe("core's 'bedrock:<modelId>' strings", () => {
  it('make a BedrockModel from the model id alone', async () => {
    const model = await resolveModel('bedrock:us.amazon.nova-lite-v1:0')
    // Core imports the built package (dist), so the class is a different copy of this one.
    expect(model.constructor.name).toBe(BedrockModel.name)
    expect(typeof (model as BedrockModel).formatRequest).toBe('function')
    expect(model.modelId).toBe('us.amazon.nova-lite-v1:0')
  })
})
