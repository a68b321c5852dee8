import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { ModelError } from '../errors/model-error.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import { collectStream, conversationProblems, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import type { StopReason } from '../types/stop-reason.js'
import { MessageAggregator } from './message-aggregator.js'

const echo = tool({
  name: 'echo',
  description: 'Echoes its text',
  inputSchema: z.object({ text: z.string() }),
  callback: ({ text }) => text,
})

const start = (contentBlockIndex: number, toolUseId: string, name = 'echo'): ModelStreamEvent => ({
  contentBlockStart: { contentBlockIndex, start: { toolUse: { toolUseId, name } } },
})
const input = (contentBlockIndex: number, piece: string): ModelStreamEvent => ({
  contentBlockDelta: { contentBlockIndex, delta: { toolUse: { input: piece } } },
})
const text = (contentBlockIndex: number, piece: string): ModelStreamEvent => ({
  contentBlockDelta: { contentBlockIndex, delta: { text: piece } },
})
const stop = (contentBlockIndex: number): ModelStreamEvent => ({ contentBlockStop: { contentBlockIndex } })
const messageStop = (stopReason: string): ModelStreamEvent => ({
  messageStop: { stopReason: stopReason as StopReason },
})
const answer = { content: [{ text: 'done' }] }

function aggregate(events: ModelStreamEvent[]) {
  const aggregator = new MessageAggregator()
  for (const event of events) aggregator.accept(event)
  return aggregator.finish()
}

async function runTurn(events: ModelStreamEvent[]) {
  const model = new ScriptedModel([{ events: [{ messageStart: { role: 'assistant' } }, ...events] }, answer])
  const agent = new Agent({ model, tools: [echo], callbackHandler: null })
  const collected = await collectStream(agent.stream('Go'))
  const results = collected.events.flatMap((event) =>
    event.type === 'tool_result' ? [event.tool_result] : [],
  )
  return { ...collected, agent, model, results }
}

describe('MessageAggregator', () => {
  it('builds interleaved tool calls by index and keeps them in index order', () => {
    const { message, stopReason } = aggregate([
      text(0, 'Two calls. '),
      stop(0),
      start(2, 'b'),
      start(1, 'a'),
      input(1, '{"text":'),
      input(2, '{"text":"B'),
      input(1, '"A"}'),
      input(2, '"}'),
      stop(2),
      stop(1),
      messageStop('tool_use'),
    ])
    expect(stopReason).toBe('tool_use')
    expect(message.content).toEqual([
      { text: 'Two calls. ' },
      { toolUse: { toolUseId: 'a', name: 'echo', input: { text: 'A' } } },
      { toolUse: { toolUseId: 'b', name: 'echo', input: { text: 'B' } } },
    ])
  })

  it('reports the growing input of each interleaved call in its tool_use_stream event', () => {
    const aggregator = new MessageAggregator()
    aggregator.accept(start(0, 'a'))
    aggregator.accept(start(1, 'b'))
    aggregator.accept(input(0, '{"te'))
    const second = aggregator.accept(input(1, '{"text":"b"}'))
    const first = aggregator.accept(input(0, 'xt":"a"}'))
    expect(second).toMatchObject({ current_tool_use: { toolUseId: 'b', input: '{"text":"b"}' } })
    expect(first).toMatchObject({ current_tool_use: { toolUseId: 'a', input: '{"text":"a"}' } })
  })

  it('rejects a block event without a valid index', () => {
    const aggregator = new MessageAggregator()
    expect(() =>
      aggregator.accept({ contentBlockDelta: { delta: { text: 'x' } } } as unknown as ModelStreamEvent),
    ).toThrow(ModelError)
  })

  it('rejects a delta of another kind in an open block', () => {
    const aggregator = new MessageAggregator()
    aggregator.accept(start(0, 'a'))
    expect(() => aggregator.accept(text(0, 'x'))).toThrow(/tool(Use)? block but received a text delta/)
  })

  it('rejects content for a block after its stop', () => {
    const aggregator = new MessageAggregator()
    aggregator.accept(text(0, 'x'))
    aggregator.accept(stop(0))
    expect(() => aggregator.accept(text(0, 'y'))).toThrow(/after its stop/)
  })
})

describe('malformed model output (the conversation stays valid)', () => {
  it('gives a tool use without an id a generated one, and pairs its result with it', async () => {
    const { agent, results, error } = await runTurn([
      start(0, ''),
      input(0, '{"text":"hi"}'),
      stop(0),
      messageStop('tool_use'),
    ])
    expect(error).toBeUndefined()
    const toolUse = agent.messages[1]!.content[0] as { toolUse: { toolUseId: string } }
    expect(toolUse.toolUse.toolUseId).toMatch(/^tooluse_[0-9a-f]{24}$/)
    expect(results.map((result) => result.toolUseId)).toEqual([toolUse.toolUse.toolUseId])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('renames a repeated toolUseId, so that each call gets its own result', async () => {
    const { agent, results, error } = await runTurn([
      start(0, 'same'),
      input(0, '{"text":"one"}'),
      stop(0),
      start(1, 'same'),
      input(1, '{"text":"two"}'),
      stop(1),
      messageStop('tool_use'),
    ])
    expect(error).toBeUndefined()
    const ids = agent.messages[1]!.content.map((block) => ('toolUse' in block ? block.toolUse.toolUseId : ''))
    expect(ids[0]).toBe('same')
    expect(ids[1]).toMatch(/^tooluse_/)
    expect(new Set(results.map((result) => result.toolUseId))).toEqual(new Set(ids))
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('rejects a tool use started after messageStop instead of running it', async () => {
    const seen: string[] = []
    const spy = tool({
      name: 'echo',
      description: 'Records its text',
      inputSchema: z.object({ text: z.string() }),
      callback: ({ text }) => {
        seen.push(text)
        return text
      },
    })
    const late = [
      { messageStart: { role: 'assistant' as const } },
      text(0, 'All done.'),
      stop(0),
      messageStop('end_turn'),
      start(1, 'late'),
      input(1, '{"text":"sneaky"}'),
      stop(1),
    ]
    // The loop retries a malformed stream; each attempt is malformed the same way.
    const model = new ScriptedModel(Array.from({ length: 8 }, () => ({ events: late })))
    const agent = new Agent({ model, tools: [spy], callbackHandler: null })
    const { error } = await collectStream(agent.stream('Go'))
    expect(ModelError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/after messageStop/)
    expect(seen).toEqual([])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('reads an unknown stop reason as end_turn (or tool_use when the turn has tool uses)', async () => {
    expect(aggregate([text(0, 'Hi'), messageStop('eos_token')]).stopReason).toBe('end_turn')
    expect(aggregate([start(0, 'a'), input(0, '{}'), messageStop('weird')]).stopReason).toBe('tool_use')
    const { agent, result, error } = await runTurn([text(0, 'Hi'), stop(0), messageStop('model_specific')])
    expect(error).toBeUndefined()
    expect(result?.stopReason).toBe('end_turn')
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})
