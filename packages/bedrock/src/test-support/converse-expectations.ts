// What the Bedrock tests expect of a Converse answer, shared by the recorded and the hand-written wire tests.
import type { ModelRequest, ModelStreamEvent } from '@agent/core'
import { expect } from 'vitest'
import { type BedrockLoopbackServer, frameFromRecordedEvent } from './bedrock-loopback-server.js'
import { loopbackModel, type RecordedEvent } from './recorded-fixtures.js'

export async function collect(stream: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

/** The stream a Converse body stands for, written out by hand from the Converse shapes. */
export function expectedEventsOf(body: any): unknown[] {
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
export function converseBodyOf(recorded: RecordedEvent[]): any {
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
export function mergeDeltas(events: ModelStreamEvent[]): ModelStreamEvent[] {
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

/**
 * What the model must yield for a recorded event: the same Converse shape, with usage reduced to our
 * `Usage` and our measured time to first byte added to the metrics.
 */
export function expectedEvent(recorded: RecordedEvent): unknown {
  if ('metadata' in recorded) {
    const { usage, metrics } = recorded.metadata
    return {
      metadata: {
        usage: {
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          totalTokens: usage.totalTokens,
        },
        metrics: { latencyMs: metrics.latencyMs, timeToFirstByteMs: expect.any(Number) },
      },
    }
  }
  return recorded
}

/**
 * Replies to one ConverseStream and one Converse request with the same answer (`recorded` as frames, and
 * as the Converse body they add up to) and expects the same events from both, timing aside.
 */
export async function expectStreamAndConverseAlike(
  server: BedrockLoopbackServer,
  recorded: RecordedEvent[],
  request: ModelRequest,
): Promise<void> {
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
  // A stream's stop event nests its extra fields under "delta"; Converse does not.
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
}
