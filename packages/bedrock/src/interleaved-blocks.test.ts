import { Agent, tool } from '@agent/core'
import { collectStream, conversationProblems } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { BedrockLoopbackServer, type WireFrame } from './test-support/bedrock-loopback-server.js'
import { loopbackModel } from './test-support/recorded-fixtures.js'

// Hand-written ConverseStream frames: two tool uses whose input deltas alternate between their indices.
const event = (name: string, payload: unknown): WireFrame => ({ event: name, payload })
const start = (contentBlockIndex: number, toolUseId: string) =>
  event('contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId, name: 'weather' } } })
const input = (contentBlockIndex: number, piece: string) =>
  event('contentBlockDelta', { contentBlockIndex, delta: { toolUse: { input: piece } } })
const stop = (contentBlockIndex: number) => event('contentBlockStop', { contentBlockIndex })
const usage = { inputTokens: 30, outputTokens: 20, totalTokens: 50 }

const interleaved: WireFrame[] = [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Checking both.' } }),
  stop(0),
  start(1, 'tooluse_oslo'),
  start(2, 'tooluse_rome'),
  input(2, '{"city":'),
  input(1, '{"city":"Os'),
  input(2, '"Rome"}'),
  input(1, 'lo"}'),
  stop(2),
  stop(1),
  event('messageStop', { stopReason: 'tool_use' }),
  event('metadata', { usage, metrics: { latencyMs: 12 } }),
]
const answer: WireFrame[] = [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Oslo 3°, Rome 18°.' } }),
  stop(0),
  event('messageStop', { stopReason: 'end_turn' }),
  event('metadata', { usage, metrics: { latencyMs: 9 } }),
]

describe('ConverseStream blocks that interleave', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  it('builds both tool uses by index, runs both, and sends both results back', async () => {
    server.reply({ frames: interleaved }, { frames: answer })
    const cities: string[] = []
    const weather = tool({
      name: 'weather',
      description: 'The weather in a city',
      inputSchema: z.object({ city: z.string() }),
      callback: ({ city }) => {
        cities.push(city)
        return city === 'Oslo' ? '3°' : '18°'
      },
    })
    const agent = new Agent({ model: loopbackModel(server), tools: [weather], callbackHandler: null })
    const { result, error } = await collectStream(agent.stream('Weather in Oslo and Rome?'))
    expect(error).toBeUndefined()
    expect(agent.messages[1]!.content).toEqual([
      { text: 'Checking both.' },
      { toolUse: { toolUseId: 'tooluse_oslo', name: 'weather', input: { city: 'Oslo' } } },
      { toolUse: { toolUseId: 'tooluse_rome', name: 'weather', input: { city: 'Rome' } } },
    ])
    expect(cities.sort()).toEqual(['Oslo', 'Rome'])
    expect(String(result)).toBe('Oslo 3°, Rome 18°.')
    const results = server.requests
      .at(-1)!
      .body.messages[2].content.map(
        (block: { toolResult: { toolUseId: string } }) => block.toolResult.toolUseId,
      )
    expect(results).toEqual(['tooluse_oslo', 'tooluse_rome'])
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})
