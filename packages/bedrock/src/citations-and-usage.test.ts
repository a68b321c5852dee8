import { Agent, type ModelStreamEvent } from '@agent/core'
import { conversationProblems } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BedrockLoopbackServer, type WireFrame } from './test-support/bedrock-loopback-server.js'
import { loopbackModel } from './test-support/recorded-fixtures.js'

async function collect(stream: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

const request = { messages: [{ role: 'user' as const, content: [{ text: 'What does the report say?' }] }] }
const citation = {
  title: 'report',
  sourceContent: [{ text: 'Revenue grew 12%.' }],
  location: { documentChar: { documentIndex: 0, start: 10, end: 27 } },
}
const usage = {
  inputTokens: 1200,
  outputTokens: 20,
  totalTokens: 1220,
  cacheReadInputTokens: 1024,
  cacheWriteInputTokens: 0,
}

describe('citations, cache usage and events outside the contract', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  it('ConverseStream: citation deltas, cache token counts and trace pass through as plain JSON; image deltas are dropped', async () => {
    const frames: WireFrame[] = [
      { event: 'messageStart', payload: { role: 'assistant' } },
      { event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Revenue grew 12%.' } } },
      { event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { citation } } },
      { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { event: 'contentBlockStart', payload: { contentBlockIndex: 1, start: { image: { format: 'png' } } } },
      {
        event: 'contentBlockDelta',
        payload: { contentBlockIndex: 1, delta: { image: { source: { bytes: 'AAEC' } } } },
      },
      { event: 'contentBlockStop', payload: { contentBlockIndex: 1 } },
      { event: 'messageStop', payload: { stopReason: 'end_turn' } },
      {
        event: 'metadata',
        payload: { usage, metrics: { latencyMs: 40 }, trace: { promptRouter: { invokedModelId: 'claude' } } },
      },
    ]
    server.reply({ frames })
    const events = await collect(loopbackModel(server).stream(request))
    expect(events).toEqual([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Revenue grew 12%.' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { citation } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStart: { contentBlockIndex: 1 } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: 'end_turn' } },
      {
        metadata: {
          usage,
          metrics: { latencyMs: 40, timeToFirstByteMs: expect.any(Number) },
          trace: { promptRouter: { invokedModelId: 'claude' } },
        },
      },
    ])
  })

  it('Converse: a citationsContent block becomes text deltas then citation deltas', async () => {
    server.reply({
      status: 200,
      body: {
        output: {
          message: {
            role: 'assistant',
            content: [
              { citationsContent: { content: [{ text: 'Revenue grew 12%.' }], citations: [citation] } },
            ],
          },
        },
        stopReason: 'end_turn',
        usage,
        metrics: { latencyMs: 40 },
      },
    })
    const events = await collect(loopbackModel(server, { streaming: false }).stream(request))
    expect(events.slice(1, 4)).toEqual([
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Revenue grew 12%.' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { citation } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
    ])
    expect(events.at(-1)).toMatchObject({ metadata: { usage } })
  })

  it('an agent keeps cited text with its citations and sends them back in the citationsContent shape of Bedrock', async () => {
    const frames: WireFrame[] = [
      { event: 'messageStart', payload: { role: 'assistant' } },
      { event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Revenue grew 12%.' } } },
      { event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { citation } } },
      { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { event: 'messageStop', payload: { stopReason: 'end_turn' } },
      { event: 'metadata', payload: { usage, metrics: { latencyMs: 40 } } },
    ]
    server.reply({ frames }, { frames })
    const agent = new Agent({ model: loopbackModel(server), callbackHandler: null })
    const result = await agent.invoke('What does the report say?')
    expect(String(result)).toBe('Revenue grew 12%.')
    expect(result.metrics).toBeDefined()
    await agent.invoke('And costs?')
    expect(server.requests.at(-1)!.body.messages[1]).toEqual({
      role: 'assistant',
      content: [{ citationsContent: { citations: [citation], content: [{ text: 'Revenue grew 12%.' }] } }],
    })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('a model_context_window_exceeded stop is reported as max_tokens', async () => {
    server.reply({
      frames: [
        { event: 'messageStart', payload: { role: 'assistant' } },
        { event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Partial' } } },
        { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
        { event: 'messageStop', payload: { stopReason: 'model_context_window_exceeded' } },
        { event: 'metadata', payload: { usage, metrics: { latencyMs: 1 } } },
      ],
    })
    const events = await collect(loopbackModel(server).stream(request))
    expect(events).toContainEqual({ messageStop: { stopReason: 'max_tokens' } })
  })
})
