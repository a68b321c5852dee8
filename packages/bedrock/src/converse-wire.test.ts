// Every ConverseStream / Converse behaviour the recordings exercise, on wire data written here, so that a
// clone without the recordings still tests each path.
import { AbortError, ModelError } from '@agent/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BedrockLoopbackServer, frameFromRecordedEvent } from './test-support/bedrock-loopback-server.js'
import { collectModelStream } from './test-support/collect-model-stream.js'
import {
  collect,
  converseBodyOf,
  expectedEvent,
  expectedEventsOf,
  expectStreamAndConverseAlike,
} from './test-support/converse-expectations.js'
import { loopbackModel, type RecordedEvent } from './test-support/recorded-fixtures.js'

const request = { messages: [{ role: 'user' as const, content: [{ text: 'Hello' }] }] }
const start = { messageStart: { role: 'assistant' } }
const delta = (contentBlockIndex: number, value: object) => ({
  contentBlockDelta: { contentBlockIndex, delta: value },
})
const stop = (contentBlockIndex: number) => ({ contentBlockStop: { contentBlockIndex } })
const toolStart = (contentBlockIndex: number, toolUseId: string, name: string) => ({
  contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } },
})
const metadata = (inputTokens: number, outputTokens: number, latencyMs: number) => ({
  metadata: {
    metrics: { latencyMs },
    usage: { inputTokens, outputTokens, serverToolUsage: {}, totalTokens: inputTokens + outputTokens },
  },
})

const streams: Record<string, RecordedEvent[]> = {
  'text in pieces, end_turn with extra response fields': [
    start,
    delta(0, { text: 'Hello' }),
    delta(0, { text: ', wörld 😀' }),
    stop(0),
    {
      messageStop: {
        additionalModelResponseFields: { delta: { stop_sequence: null } },
        stopReason: 'end_turn',
      },
    },
    metadata(5, 4, 120),
  ],
  'text cut by max_tokens': [
    start,
    delta(0, { text: 'Hello' }),
    delta(0, { text: '! How can' }),
    stop(0),
    { messageStop: { stopReason: 'max_tokens' } },
    metadata(2, 3, 90),
  ],
  'reasoning with a signature, then text': [
    start,
    delta(0, { reasoningContent: { text: 'Count the ' } }),
    delta(0, { reasoningContent: { text: 'letters.' } }),
    delta(0, { reasoningContent: { signature: 'c2lnbmF0dXJl' } }),
    stop(0),
    delta(1, { text: 'Three.' }),
    stop(1),
    { messageStop: { stopReason: 'end_turn' } },
    metadata(20, 30, 400),
  ],
  'redacted reasoning, then a tool use with its input in pieces': [
    start,
    delta(0, { reasoningContent: { redactedContent: 'cmVkYWN0ZWQgYnl0ZXM=' } }),
    stop(0),
    toolStart(1, 'tooluse_w1', 'propose'),
    delta(1, { toolUse: { input: '{"plan":' } }),
    delta(1, { toolUse: { input: ' "a, ' } }),
    delta(1, { toolUse: { input: 'then b"}' } }),
    stop(1),
    { messageStop: { stopReason: 'tool_use' } },
    metadata(40, 25, 700),
  ],
  'an empty text block, reasoning, then text and a tool use (Kimi-like)': [
    start,
    delta(0, { text: '' }),
    stop(0),
    delta(1, { reasoningContent: { text: 'Search first.' } }),
    stop(1),
    delta(2, { text: 'Searching.' }),
    stop(2),
    toolStart(3, 'call_w2', 'glob_search'),
    delta(3, { toolUse: { input: '' } }),
    delta(3, { toolUse: { input: '{"pattern": "**/*.ts"}' } }),
    stop(3),
    { messageStop: { stopReason: 'tool_use' } },
    metadata(60, 15, 300),
  ],
}

describe('Bedrock on hand-written Converse wire data', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  for (const [name, recorded] of Object.entries(streams)) {
    it(`ConverseStream: ${name}, event for event`, async () => {
      server.reply({ frames: recorded.map(frameFromRecordedEvent) })
      const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(error).toBeUndefined()
      expect(events).toEqual(recorded.map(expectedEvent))
    })

    it(`Converse (streaming: false): ${name}, the same answer as the stream`, async () => {
      await expectStreamAndConverseAlike(server, recorded, request)
    })
  }

  it('Converse (streaming: false): a text body gives the events written out from its content', async () => {
    const body = converseBodyOf(streams['text in pieces, end_turn with extra response fields']!)
    server.reply({ status: 200, body })
    expect(await collect(loopbackModel(server, { streaming: false }).stream(request))).toEqual(
      expectedEventsOf(body),
    )
  })

  it('ConverseStream: drops the wire padding field "p" that Bedrock adds to events', async () => {
    const recorded = streams['text cut by max_tokens']!
    const padded = recorded.map((event) => {
      const [key, payload] = Object.entries(event)[0]!
      return { [key]: { ...payload, p: 'abcdefghijklmnop' } }
    })
    server.reply({ frames: padded.map(frameFromRecordedEvent) })
    const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
    expect(error).toBeUndefined()
    expect(events).toEqual(recorded.map(expectedEvent))
  })

  it('ConverseStream: a modelStreamErrorException frame after some text → retryable ModelError', async () => {
    const head = streams['text cut by max_tokens']!.slice(0, 3)
    server.reply({
      frames: [
        ...head.map(frameFromRecordedEvent),
        {
          exception: 'modelStreamErrorException',
          payload: { message: 'Model Stream Error', originalStatusCode: 500, originalMessage: 'It broke.' },
        },
      ],
    })
    const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
    expect(events).toEqual(head)
    expect(ModelError.isInstance(error)).toBe(true)
    expect(AbortError.isInstance(error)).toBe(false)
    expect((error as ModelError).retryable).toBe(true)
    expect((error as Error).message).toContain('The model answered 500: It broke.')
  })
})
