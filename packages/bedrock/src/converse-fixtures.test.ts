import { basename, join } from 'node:path'
import { fixturesDirectory } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BedrockLoopbackServer } from './test-support/bedrock-loopback-server.js'
import {
  collect,
  expectedEventsOf,
  expectStreamAndConverseAlike,
} from './test-support/converse-expectations.js'
import { filesIn, loopbackModel, readJson, readJsonLines } from './test-support/recorded-fixtures.js'

const fixtures = fixturesDirectory()
const converseDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse')
const streamDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse-stream')
const request = { messages: [{ role: 'user' as const, content: [{ text: 'Hello' }] }] }

describe.skipIf(fixtures === undefined)('Converse (streaming: false)', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  const bodies = fixtures === undefined ? [] : filesIn(converseDirectory, '.json')

  it('finds the recordings', () => {
    expect(bodies.map((path) => basename(path))).toEqual([
      'reasoning-then-text.claude.json',
      'text-and-tool-use.claude-3-sonnet.json',
      'text.claude.json',
      'tool-use-strict.claude-opus-4-7.json',
      'tool-use.claude.json',
    ])
  })

  for (const path of bodies) {
    it(`maps ${basename(path)} to the events a stream would send`, async () => {
      const body = readJson(path)
      server.reply({ status: 200, body })
      const events = await collect(loopbackModel(server, { streaming: false }).stream(request))
      expect(events).toEqual(expectedEventsOf(body))
      expect(server.requests.at(-1)!.path).toBe(
        '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse',
      )
    })
  }

  it('keeps cache token counts from the usage', async () => {
    server.reply({ status: 200, body: readJson(join(converseDirectory, 'tool-use.claude.json')) })
    const events = await collect(loopbackModel(server, { streaming: false }).stream(request))
    expect(events.at(-1)).toMatchObject({
      metadata: { usage: { inputTokens: 407, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } },
    })
  })

  const recordings = fixtures === undefined ? [] : filesIn(streamDirectory, '.jsonl')
  for (const path of recordings) {
    it(`gives the same events as the stream for the answer of ${basename(path)}`, async () => {
      await expectStreamAndConverseAlike(server, readJsonLines(path), request)
    })
  }
})
