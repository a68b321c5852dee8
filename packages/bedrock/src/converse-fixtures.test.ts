import { basename, join } from 'node:path'
import type { ModelStreamEvent } from '@agent/core'
import { fixturesDirectory } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BedrockLoopbackServer, frameFromRecordedEvent } from './test-support/bedrock-loopback-server.js'
import {
  filesIn,
  loopbackModel,
  type RecordedEvent,
  readJson,
  readJsonLines,
} from './test-support/recorded-fixtures.js'

const fixtures = fixturesDirectory()
const converseDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse')
const streamDirectory = fixtures === undefined ? '' : join(fixtures, 'bedrock-converse-stream')
const request = { messages: [{ role: 'user' as const, content: [{ text: 'Hello' }] }] }

async function collect(stream: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

/** The stream a Converse body stands for, written out by hand from the Converse shapes. */
function expectedEventsOf(body: any): unknown[] {
  const events: unknown[] = [{ messageStart: { role: 'assistant' } }]
  body.output.message.content.forEach((block: any, contentBlockIndex: number) => {
    if ('text' in block) {
      events.push({ contentBlockDelta: { contentBlockIndex, delta: { text: block.text } } })
    } else if ('toolUse' in block) {
      const { toolUseId, name, input } = block.toolUse
      events.push({ contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } } })
      events.push({
        contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: JSON.stringify(input) } } },
      })
    } else if ('reasoningContent' in block) {
      const { text, signature } = block.reasoningContent.reasoningText
      events.push({ contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { text } } } })
      events.push({ contentBlockDelta: { contentBlockIndex, delta: { reasoningContent: { signature } } } })
    }
    events.push({ contentBlockStop: { contentBlockIndex } })
  })
  events.push({
    messageStop: {
      stopReason: body.stopReason,
      ...(body.additionalModelResponseFields !== undefined && {
        additionalModelResponseFields: body.additionalModelResponseFields,
      }),
    },
  })
  const { inputTokens, outputTokens, totalTokens, cacheReadInputTokens, cacheWriteInputTokens } = body.usage
  events.push({
    metadata: {
      usage: {
        inputTokens,
        outputTokens,
        totalTokens,
        ...(cacheReadInputTokens !== undefined && { cacheReadInputTokens }),
        ...(cacheWriteInputTokens !== undefined && { cacheWriteInputTokens }),
      },
      metrics: { latencyMs: body.metrics.latencyMs, timeToFirstByteMs: expect.any(Number) },
    },
  })
  return events
}

/** The Converse body Bedrock would have answered for a recorded stream: its deltas put together. */
function converseBodyOf(recorded: RecordedEvent[]): any {
  const content: any[] = []
  let stop: any
  let metadata: any
  for (const event of recorded) {
    if ('contentBlockStart' in event) {
      const { toolUseId, name } = event.contentBlockStart.start.toolUse
      content[event.contentBlockStart.contentBlockIndex] = { toolUse: { toolUseId, name, input: '' } }
    } else if ('contentBlockDelta' in event) {
      const { contentBlockIndex, delta } = event.contentBlockDelta
      const block = content[contentBlockIndex]
      if ('text' in delta) content[contentBlockIndex] = { text: (block?.text ?? '') + delta.text }
      else if ('toolUse' in delta) block.toolUse.input += delta.toolUse.input
      else if ('redactedContent' in delta.reasoningContent) {
        content[contentBlockIndex] = {
          reasoningContent: { redactedContent: delta.reasoningContent.redactedContent },
        }
      } else {
        const reasoningText = block?.reasoningContent.reasoningText ?? { text: '' }
        if ('text' in delta.reasoningContent) reasoningText.text += delta.reasoningContent.text
        if ('signature' in delta.reasoningContent) reasoningText.signature = delta.reasoningContent.signature
        content[contentBlockIndex] = { reasoningContent: { reasoningText } }
      }
    } else if ('messageStop' in event) stop = event.messageStop
    else if ('metadata' in event) metadata = event.metadata
  }
  for (const block of content) {
    if ('toolUse' in block) block.toolUse.input = JSON.parse(block.toolUse.input || '{}')
  }
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: stop.stopReason,
    ...(stop.additionalModelResponseFields !== undefined && {
      additionalModelResponseFields:
        stop.additionalModelResponseFields.delta ?? stop.additionalModelResponseFields,
    }),
    usage: metadata.usage,
    metrics: metadata.metrics,
  }
}

/** Stream events with consecutive deltas of the same kind in the same block joined into one. */
function mergeDeltas(events: ModelStreamEvent[]): ModelStreamEvent[] {
  const merged: any[] = []
  for (const event of structuredClone(events) as any[]) {
    const previous = merged.at(-1)?.contentBlockDelta
    const current = event.contentBlockDelta
    if (
      previous !== undefined &&
      current !== undefined &&
      previous.contentBlockIndex === current.contentBlockIndex
    ) {
      if ('text' in previous.delta && 'text' in current.delta) {
        previous.delta.text += current.delta.text
        continue
      }
      if ('toolUse' in previous.delta && 'toolUse' in current.delta) {
        previous.delta.toolUse.input += current.delta.toolUse.input
        continue
      }
      const before = previous.delta.reasoningContent
      const now = current.delta.reasoningContent
      if (before?.text !== undefined && now?.text !== undefined) {
        before.text += now.text
        continue
      }
    }
    merged.push(event)
  }
  // The same input may be spaced differently in JSON text; compare it as the tool will see it.
  for (const event of merged) {
    const toolUse = event.contentBlockDelta?.delta.toolUse
    if (toolUse !== undefined) toolUse.input = JSON.stringify(JSON.parse(toolUse.input || '{}'))
  }
  return merged
}

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
      const recorded = readJsonLines(path)
      server.reply(
        { frames: recorded.map(frameFromRecordedEvent) },
        { status: 200, body: converseBodyOf(recorded) },
      )
      const streamed = await collect(loopbackModel(server).stream(request))
      const whole = await collect(loopbackModel(server, { streaming: false }).stream(request))
      const withoutTiming = (events: ModelStreamEvent[]) =>
        events.map((event) =>
          'metadata' in event
            ? { metadata: { ...event.metadata, metrics: { latencyMs: event.metadata.metrics?.latencyMs } } }
            : event,
        )
      // The recorded stop event nests its extra fields under "delta"; Converse does not.
      const streamedComparable = withoutTiming(mergeDeltas(streamed)).map((event) =>
        'messageStop' in event && event.messageStop.additionalModelResponseFields !== undefined
          ? {
              messageStop: {
                ...event.messageStop,
                additionalModelResponseFields: (event.messageStop.additionalModelResponseFields as any).delta,
              },
            }
          : event,
      )
      expect(withoutTiming(whole)).toEqual(streamedComparable)
    })
  }
})
