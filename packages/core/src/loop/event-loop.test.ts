import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import type { AgentEvent } from '../events/agent-events.js'
import { collectStream, conversationProblems, eventTypes, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'

const calculator = tool({
  name: 'calculator',
  description: 'Adds two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  callback: ({ a, b }) => String(a + b),
})

function roundTrips(events: readonly AgentEvent[]): void {
  for (const event of events) expect(JSON.parse(JSON.stringify(event))).toEqual(event)
}

describe('the event stream contract (DESIGN §4)', () => {
  it('streams a plain answer in the documented order', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'Hello there world' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    const { events, result, error } = await collectStream(agent.stream('Hi'))
    expect(error).toBeUndefined()
    expect(eventTypes(events)).toEqual([
      'init_event_loop',
      'start_event_loop',
      'model_stream:messageStart',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockStop',
      'model_stream:messageStop',
      'model_stream:metadata',
      'message',
      'result',
    ])
    expect(events.filter((event) => event.type === 'data').map((event) => event.data)).toEqual([
      'Hello ',
      'there ',
      'world',
    ])
    expect(result?.stopReason).toBe('end_turn')
    expect(String(result)).toBe('Hello there world')
    expect(events.at(-1)).toEqual({ type: 'result', result })
    expect(agent.messages).toEqual([
      { role: 'user', content: [{ text: 'Hi' }] },
      { role: 'assistant', content: [{ text: 'Hello there world' }] },
    ])
    roundTrips(events)
  })

  it('carries both the type discriminant and the Strands keys', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'ok' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    const { events } = await collectStream(agent.stream('Hi'))
    const init = events[0]!
    expect('init_event_loop' in init && init.init_event_loop).toBe(true)
    const data = events.find((event) => 'data' in event)
    expect(data).toMatchObject({ type: 'data', data: 'ok', delta: { text: 'ok' } })
    expect(events.find((event) => event.type === 'start_event_loop')).toMatchObject({
      start_event_loop: true,
      cycle: 1,
    })
  })

  it('runs a tool turn and answers from its result', async () => {
    const model = new ScriptedModel([
      {
        content: [
          { text: 'Let me add. ' },
          { toolUse: { toolUseId: 't1', name: 'calculator', input: { a: 2, b: 2 } } },
        ],
      },
      { content: [{ text: 'It is 4' }] },
    ])
    const agent = new Agent({ model, tools: [calculator], callbackHandler: null })
    const { events, result } = await collectStream(agent.stream('What is 2+2?'))
    expect(eventTypes(events)).toEqual([
      'init_event_loop',
      'start_event_loop',
      'model_stream:messageStart',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockStop',
      'model_stream:contentBlockStart',
      'model_stream:contentBlockDelta',
      'tool_use_stream',
      'model_stream:contentBlockDelta',
      'tool_use_stream',
      'model_stream:contentBlockStop',
      'model_stream:messageStop',
      'model_stream:metadata',
      'message',
      'tool_result',
      'message',
      'start_event_loop',
      'model_stream:messageStart',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockDelta',
      'data',
      'model_stream:contentBlockStop',
      'model_stream:messageStop',
      'model_stream:metadata',
      'message',
      'result',
    ])
    const toolUseStreams = events.filter((event) => event.type === 'tool_use_stream')
    expect(toolUseStreams.at(-1)).toMatchObject({
      current_tool_use: { toolUseId: 't1', name: 'calculator', input: '{"a":2,"b":2}' },
    })
    expect(events.find((event) => event.type === 'tool_result')).toEqual({
      type: 'tool_result',
      tool_result: { toolUseId: 't1', status: 'success', content: [{ text: '4' }] },
    })
    expect(model.requests[1]!.messages.at(-1)).toEqual({
      role: 'user',
      content: [{ toolResult: { toolUseId: 't1', status: 'success', content: [{ text: '4' }] } }],
    })
    expect(model.requests[0]!.toolSpecs).toEqual([
      {
        name: 'calculator',
        description: 'Adds two numbers',
        inputSchema: {
          type: 'object',
          properties: { a: { type: 'number' }, b: { type: 'number' } },
          required: ['a', 'b'],
          additionalProperties: false,
        },
      },
    ])
    expect(String(result)).toBe('It is 4')
    expect(result?.metrics.cycleCount).toBe(2)
    expect(result?.metrics.tools.calculator).toMatchObject({ callCount: 1, successCount: 1, errorCount: 0 })
    expect(result?.metrics.usage.totalTokens).toBe(30)
    expect(conversationProblems(agent.messages)).toEqual([])
    roundTrips(events)
  })

  it('runs two tools concurrently, interleaves their streams and keeps the requested order', async () => {
    const releaseFirst = Promise.withResolvers<void>()
    const secondStarted = Promise.withResolvers<void>()
    const slow = tool({
      name: 'slow',
      description: 'waits for the other tool',
      inputSchema: { type: 'object', properties: {} },
      async *callback() {
        yield 'slow started'
        await secondStarted.promise
        yield 'slow saw fast start'
        await releaseFirst.promise
        return 'slow done'
      },
    })
    const fast = tool({
      name: 'fast',
      description: 'starts while the slow one runs',
      inputSchema: { type: 'object', properties: {} },
      async *callback() {
        secondStarted.resolve()
        yield 'fast started'
        releaseFirst.resolve()
        return 'fast done'
      },
    })
    const model = new ScriptedModel([
      {
        content: [
          { toolUse: { toolUseId: 'a', name: 'slow', input: {} } },
          { toolUse: { toolUseId: 'b', name: 'fast', input: {} } },
        ],
      },
      { content: [{ text: 'both done' }] },
    ])
    const agent = new Agent({ model, tools: [slow, fast], callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('go'))
    expect(error).toBeUndefined()
    const toolEvents = events.filter((event) => event.type === 'tool_stream' || event.type === 'tool_result')
    expect(
      toolEvents.map((event) =>
        event.type === 'tool_stream'
          ? `${event.tool_stream_event.tool_use.name}: ${event.tool_stream_event.data}`
          : `result ${event.tool_result.toolUseId}`,
      ),
    ).toEqual([
      'slow: slow started',
      'fast: fast started',
      'slow: slow saw fast start',
      'result b',
      'result a',
    ])
    const resultsMessage = agent.messages[2]!
    expect(
      resultsMessage.content.map((block) => ('toolResult' in block ? block.toolResult.toolUseId : '?')),
    ).toEqual(['a', 'b'])
    expect(conversationProblems(agent.messages)).toEqual([])
    roundTrips(events)
  })

  it('honours the tool concurrency limit', async () => {
    let running = 0
    let most = 0
    const counted = tool({
      name: 'counted',
      description: 'counts how many run at once',
      inputSchema: { type: 'object', properties: {} },
      callback: async () => {
        running++
        most = Math.max(most, running)
        await new Promise((resolve) => setTimeout(resolve, 5))
        running--
        return 'ok'
      },
    })
    const toolUses = Array.from({ length: 5 }, (_, index) => ({
      toolUse: { toolUseId: `c${index}`, name: 'counted', input: {} },
    }))
    const model = new ScriptedModel([{ content: toolUses }, { content: [{ text: 'done' }] }])
    const agent = new Agent({ model, tools: [counted], toolConcurrency: 2, callbackHandler: null })
    await agent.invoke('go')
    expect(most).toBe(2)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('streams reasoning deltas and keeps the reasoning block with its signature', async () => {
    const model = new ScriptedModel([
      {
        content: [
          { reasoningContent: { reasoningText: { text: 'think hard', signature: 'sig-1' } } },
          { text: 'answer' },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { events } = await collectStream(agent.stream('Hi'))
    const reasoning = events.filter((event) => event.type === 'reasoning')
    expect(reasoning).toEqual([
      {
        type: 'reasoning',
        reasoning: true,
        reasoningText: 'think ',
        delta: { reasoningContent: { text: 'think ' } },
      },
      {
        type: 'reasoning',
        reasoning: true,
        reasoningText: 'hard',
        delta: { reasoningContent: { text: 'hard' } },
      },
      {
        type: 'reasoning',
        reasoning: true,
        reasoning_signature: 'sig-1',
        delta: { reasoningContent: { signature: 'sig-1' } },
      },
    ])
    expect(agent.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'think hard', signature: 'sig-1' } } },
        { text: 'answer' },
      ],
    })
    roundTrips(events)
  })

  it('keeps redacted reasoning as its own block', async () => {
    const model = new ScriptedModel([
      { content: [{ reasoningContent: { redactedContent: 'ZW5jcnlwdGVk' } }, { text: 'ok' }] },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { events } = await collectStream(agent.stream('Hi'))
    expect(events.find((event) => event.type === 'reasoning')).toMatchObject({
      reasoningRedactedContent: 'ZW5jcnlwdGVk',
    })
    expect(agent.messages[1]!.content[0]).toEqual({ reasoningContent: { redactedContent: 'ZW5jcnlwdGVk' } })
  })

  it('passes every event to the callback handler, in order', async () => {
    const seen: AgentEvent[] = []
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 't1', name: 'calculator', input: { a: 1, b: 2 } } }] },
      { content: [{ text: '3' }] },
    ])
    const agent = new Agent({ model, tools: [calculator], callbackHandler: (event) => seen.push(event) })
    const { events } = await collectStream(agent.stream('1+2'))
    expect(seen).toEqual(events)
  })

  it('continues the conversation on the next invocation', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'first' }] }, { content: [{ text: 'second' }] }])
    const agent = new Agent({ model, callbackHandler: null, systemPrompt: 'Be brief.' })
    await agent.invoke('one')
    const result = await agent.invokeAsync('two')
    expect(String(result)).toBe('second')
    expect(model.requests[1]!.messages).toHaveLength(3)
    expect(model.requests[1]!.systemPrompt).toBe('Be brief.')
    expect(agent.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant'])
  })

  it('accepts content blocks and whole messages as the prompt', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'a' }] }, { content: [{ text: 'b' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    await agent.invoke([{ text: 'blocks' }])
    await agent.invoke([{ role: 'user', content: [{ text: 'message' }] }])
    expect(agent.messages[0]).toEqual({ role: 'user', content: [{ text: 'blocks' }] })
    expect(agent.messages[2]).toEqual({ role: 'user', content: [{ text: 'message' }] })
  })

  it('stops after maxCycles with the max_cycles stop reason and a valid conversation', async () => {
    const loopingTurn = () => ({
      content: [{ toolUse: { toolUseId: `t${Math.random()}`, name: 'calculator', input: { a: 1, b: 1 } } }],
    })
    const model = new ScriptedModel([loopingTurn, loopingTurn, loopingTurn, loopingTurn])
    const agent = new Agent({ model, tools: [calculator], callbackHandler: null, maxCycles: 3 })
    const { events, result } = await collectStream(agent.stream('loop forever'))
    expect(result?.stopReason).toBe('max_cycles')
    expect(result?.metrics.cycleCount).toBe(3)
    expect(events.filter((event) => event.type === 'start_event_loop')).toHaveLength(3)
    expect(events.at(-1)?.type).toBe('result')
    expect(model.remaining).toBe(1)
    expect(conversationProblems(agent.messages)).toEqual([])
    // The next invocation continues from the valid conversation.
    const next = new ScriptedModel([{ content: [{ text: 'done' }] }])
    const continued = new Agent({ model: next, messages: agent.messages, callbackHandler: null })
    await continued.invoke('stop now')
    expect(conversationProblems(continued.messages)).toEqual([])
  })

  it('allows maxCycles per call', async () => {
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 't1', name: 'calculator', input: { a: 1, b: 1 } } }] },
    ])
    const agent = new Agent({ model, tools: [calculator], callbackHandler: null })
    const result = await agent.invoke('go', { maxCycles: 1 })
    expect(result.stopReason).toBe('max_cycles')
  })
})

describe('message aggregation details', () => {
  it('keeps citations with the text they annotate and drops empty text blocks', async () => {
    const citation = { title: 'Doc', location: { documentChar: { documentIndex: 0, start: 0, end: 5 } } }
    const model = new ScriptedModel([
      {
        events: [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: '' } } },
          { contentBlockStop: { contentBlockIndex: 0 } },
          { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'Paris is the capital.' } } },
          { contentBlockDelta: { contentBlockIndex: 1, delta: { citation } } },
          { contentBlockStop: { contentBlockIndex: 1 } },
          { messageStop: { stopReason: 'end_turn' } },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const result = await agent.invoke('Capital?')
    expect(agent.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { citationsContent: { citations: [citation], content: [{ text: 'Paris is the capital.' }] } },
      ],
    })
    expect(String(result)).toBe('Paris is the capital.')
  })
})

describe('guardrail redaction', () => {
  it('keeps the redaction message instead of the streamed answer', async () => {
    const model = new ScriptedModel([
      {
        events: [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'something unsafe' } } },
          { contentBlockStop: { contentBlockIndex: 0 } },
          { messageStop: { stopReason: 'guardrail_intervened' } },
          { metadata: { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } } },
          { redactContent: { redactAssistantContentMessage: '[answer blocked]' } },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const result = await agent.invoke('Hi')
    expect(result.stopReason).toBe('guardrail_intervened')
    expect(agent.messages[1]).toEqual({ role: 'assistant', content: [{ text: '[answer blocked]' }] })
  })
})
