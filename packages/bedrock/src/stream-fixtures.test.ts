import { join } from 'node:path'
import { AbortError, ModelError } from '@agent/core'
import { fixturesDirectory } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BedrockLoopbackServer, frameFromRecordedEvent } from './test-support/bedrock-loopback-server.js'
import { collectModelStream } from './test-support/collect-model-stream.js'
import { expectedEvent } from './test-support/converse-expectations.js'
import { filesIn, loopbackModel, readBase64, readJsonLines } from './test-support/recorded-fixtures.js'

const fixtures = fixturesDirectory()
const streamDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse-stream')

const request = { messages: [{ role: 'user' as const, content: [{ text: 'Hello' }] }] }

describe.skipIf(fixtures === undefined)('ConverseStream recordings replayed over HTTP/2 event-stream', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  const recordings = fixtures === undefined ? [] : filesIn(streamDirectory, '.jsonl')

  it('finds the recordings', () => {
    expect(recordings.map((path) => path.slice(streamDirectory.length + 1))).toEqual([
      'reasoning-then-text.claude.jsonl',
      'reasoning-then-tool-use.kimi-k2-thinking.jsonl',
      'redacted-reasoning-then-tool-use-split-input.jsonl',
      'text-ok.claude-sonnet-4-6.jsonl',
      'text-stop-max-tokens.jsonl',
      'text-then-tool-use-split-input.claude-3-sonnet.jsonl',
      'text.claude.jsonl',
    ])
  })

  for (const path of recordings) {
    it(`replays ${path.slice(streamDirectory.length + 1)} event for event`, async () => {
      const recorded = readJsonLines(path)
      server.reply({ frames: recorded.map(frameFromRecordedEvent) })
      const model = loopbackModel(server)
      const { events, error } = await collectModelStream(model.stream(request))
      expect(error).toBeUndefined()
      expect(events).toEqual(recorded.map(expectedEvent))
      // Every event is plain JSON: it survives a round trip unchanged.
      expect(JSON.parse(JSON.stringify(events))).toEqual(events)
      expect(server.requests.at(-1)!.path).toBe(
        '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream',
      )
    })
  }

  it('replays the raw capture text-ok.claude-sonnet-4-6 as its original bytes', async () => {
    const bytes = readBase64(join(streamDirectory, 'raw', 'text-ok.claude-sonnet-4-6.eventstream.base64.txt'))
    server.reply({ frames: [{ bytes }] })
    const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
    expect(error).toBeUndefined()
    expect(events).toEqual(
      readJsonLines(join(streamDirectory, 'text-ok.claude-sonnet-4-6.jsonl')).map(expectedEvent),
    )
  })

  for (const name of ['text-ok.claude-sonnet-4-6', 'text-then-tool-use-split-input.claude-3-sonnet']) {
    it(`drops the wire padding field "p" of raw/${name}.wire.jsonl`, async () => {
      const wire = readJsonLines(join(streamDirectory, 'raw', `${name}.wire.jsonl`))
      expect(JSON.stringify(wire)).toContain('"p":"ab')
      server.reply({ frames: wire.map(frameFromRecordedEvent) })
      const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
      expect(error).toBeUndefined()
      expect(events).toEqual(readJsonLines(join(streamDirectory, `${name}.jsonl`)).map(expectedEvent))
    })
  }

  it('turns the recorded modelStreamErrorException frame (original bytes) into a retryable ModelError', async () => {
    const bytes = readBase64(
      join(streamDirectory, 'errors', 'model-stream-error-exception.eventstream.base64.txt'),
    )
    const head = readJsonLines(join(streamDirectory, 'text.claude.jsonl')).slice(0, 3)
    server.reply({ frames: [...head.map(frameFromRecordedEvent), { bytes }] })
    const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
    expect(events).toEqual(head)
    expect(ModelError.isInstance(error)).toBe(true)
    expect(AbortError.isInstance(error)).toBe(false)
    expect((error as ModelError).retryable).toBe(true)
    expect((error as Error).message).toContain('ModelStreamErrorException')
    expect((error as Error).message).toContain('Model Stream Error')
    expect((error as Error).message).toContain('The model answered 500: The model stream failed.')
  })

  it('turns the decoded modelStreamErrorException recording into the same error', async () => {
    const recorded = readJsonLines(join(streamDirectory, 'errors', 'model-stream-error-exception.jsonl'))
    server.reply({ frames: recorded.map(frameFromRecordedEvent) })
    const { events, error } = await collectModelStream(loopbackModel(server).stream(request))
    expect(events).toEqual([])
    expect((error as ModelError).name).toBe('ModelError')
    expect((error as ModelError).retryable).toBe(true)
    expect((error as Error).message).toContain('The model answered 500: The model stream failed.')
  })
})
