import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { AbortError, ConcurrencyError, MaxTokensReachedError } from '../errors/invocation-errors.js'
import { ModelError } from '../errors/model-error.js'
import type { AgentEvent } from '../events/agent-events.js'
import type { ModelRequest } from '../model/model.js'
import { collectStream, conversationProblems, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import type { ToolResult } from '../types/messages.js'

const callTool = (name: string, input: unknown = {}, toolUseId = 't1') => ({
  content: [{ toolUse: { toolUseId, name, input: input as never } }],
})

function toolResultsOf(events: readonly AgentEvent[]): ToolResult[] {
  return events.flatMap((event) => (event.type === 'tool_result' ? [event.tool_result] : []))
}

function resultText(result: ToolResult): string {
  return result.content.map((part) => ('text' in part ? part.text : JSON.stringify(part))).join('')
}

/** A model whose request stays open until aborted; records the abort. */
function hangingModel(before: ('text' | 'tool')[] = ['text']) {
  const seen: { request?: ModelRequest; abortedAt?: number } = {}
  const events = [
    { messageStart: { role: 'assistant' as const } },
    ...(before.includes('text')
      ? [{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'partial ' } } }]
      : []),
  ]
  const model = new ScriptedModel([
    (request) => {
      seen.request = request
      request.signal?.addEventListener('abort', () => {
        seen.abortedAt = Date.now()
      })
      return { hang: true, events }
    },
  ])
  return { model, seen }
}

describe('faults in tools', () => {
  it('turns a thrown error into an error result and goes on', async () => {
    const failing = tool({
      name: 'failing',
      description: 'throws',
      inputSchema: { type: 'object', properties: {} },
      callback: () => {
        throw new Error('disk on fire')
      },
    })
    const model = new ScriptedModel([callTool('failing'), { content: [{ text: 'sorry' }] }])
    const agent = new Agent({ model, tools: [failing], callbackHandler: null })
    const { events, result } = await collectStream(agent.stream('go'))
    const [toolResult] = toolResultsOf(events)
    expect(toolResult?.status).toBe('error')
    expect(resultText(toolResult!)).toContain('disk on fire')
    expect(result?.stopReason).toBe('end_turn')
    expect(result?.metrics.tools.failing).toMatchObject({ callCount: 1, errorCount: 1 })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('turns a value that is not JSON into an error result', async () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const bad = tool({
      name: 'bad',
      description: 'returns a circular object',
      inputSchema: { type: 'object', properties: {} },
      callback: () => circular,
    })
    const big = tool({
      name: 'big',
      description: 'returns a BigInt',
      inputSchema: { type: 'object', properties: {} },
      callback: () => ({ value: 10n }),
    })
    const model = new ScriptedModel([
      {
        content: [
          { toolUse: { toolUseId: 'x', name: 'bad', input: {} } },
          { toolUse: { toolUseId: 'y', name: 'big', input: {} } },
        ],
      },
      { content: [{ text: 'ok' }] },
    ])
    const agent = new Agent({ model, tools: [bad, big], callbackHandler: null })
    const { events } = await collectStream(agent.stream('go'))
    const results = toolResultsOf(events)
    expect(results.map((result) => result.status)).toEqual(['error', 'error'])
    for (const result of results) expect(resultText(result)).toMatch(/not JSON/)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('times out a tool that never finishes, signals it, and goes on', async () => {
    let sawAbort = false
    const stuck = tool({
      name: 'stuck',
      description: 'never resolves',
      inputSchema: { type: 'object', properties: {} },
      timeoutMs: 30,
      callback: (_input, { signal }) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            sawAbort = true
          })
        }),
    })
    const model = new ScriptedModel([callTool('stuck'), { content: [{ text: 'gave up' }] }])
    const agent = new Agent({ model, tools: [stuck], callbackHandler: null })
    const { events, result } = await collectStream(agent.stream('go'))
    const [toolResult] = toolResultsOf(events)
    expect(toolResult?.status).toBe('error')
    expect(resultText(toolResult!)).toContain('timed out after 30 ms')
    expect(sawAbort).toBe(true)
    expect(String(result)).toBe('gave up')
  })

  it('answers an unknown tool with an error result naming the available tools', async () => {
    const known = tool({
      name: 'known',
      description: 'exists',
      inputSchema: { type: 'object', properties: {} },
      callback: () => 'ok',
    })
    const model = new ScriptedModel([callTool('imaginary'), { content: [{ text: 'ok' }] }])
    const agent = new Agent({ model, tools: [known], callbackHandler: null })
    const { events } = await collectStream(agent.stream('go'))
    const [toolResult] = toolResultsOf(events)
    expect(toolResult?.status).toBe('error')
    expect(resultText(toolResult!)).toBe('Error: Unknown tool "imaginary". Available tools: known.')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('answers malformed tool JSON with an error result and does not run the tool', async () => {
    let ran = false
    const echo = tool({
      name: 'echo',
      description: 'echo',
      inputSchema: { type: 'object', properties: {} },
      callback: () => {
        ran = true
        return 'ran'
      },
    })
    const model = new ScriptedModel([
      {
        events: [
          { messageStart: { role: 'assistant' } },
          {
            contentBlockStart: {
              contentBlockIndex: 0,
              start: { toolUse: { toolUseId: 'm1', name: 'echo' } },
            },
          },
          {
            contentBlockDelta: {
              contentBlockIndex: 0,
              delta: { toolUse: { input: '{"text": "unterminated' } },
            },
          },
          { contentBlockStop: { contentBlockIndex: 0 } },
          { messageStop: { stopReason: 'tool_use' } },
        ],
      },
      { content: [{ text: 'retrying' }] },
    ])
    const agent = new Agent({ model, tools: [echo], callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('go'))
    expect(error).toBeUndefined()
    const [toolResult] = toolResultsOf(events)
    expect(toolResult?.status).toBe('error')
    expect(resultText(toolResult!)).toContain('not valid JSON')
    expect(ran).toBe(false)
    expect(agent.messages[1]!.content[0]).toEqual({ toolUse: { toolUseId: 'm1', name: 'echo', input: {} } })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('rejects input that does not match the schema before the callback runs', async () => {
    let ran = false
    const typed = tool({
      name: 'typed',
      description: 'needs a number',
      inputSchema: z.object({ count: z.number().int().min(1) }),
      callback: () => {
        ran = true
        return 'ran'
      },
    })
    const jsonTyped = tool({
      name: 'json_typed',
      description: 'needs a string',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      callback: () => {
        ran = true
        return 'ran'
      },
    })
    const model = new ScriptedModel([
      {
        content: [
          { toolUse: { toolUseId: 'a', name: 'typed', input: { count: 'many' } } },
          { toolUse: { toolUseId: 'b', name: 'json_typed', input: { name: 5 } } },
        ],
      },
      { content: [{ text: 'ok' }] },
    ])
    const agent = new Agent({ model, tools: [typed, jsonTyped], callbackHandler: null })
    const { events } = await collectStream(agent.stream('go'))
    const [first, second] = toolResultsOf(events)
    expect(ran).toBe(false)
    expect(resultText(first!)).toMatch(/^Error: Invalid input for tool "typed": count: .*expected number/)
    expect(resultText(second!)).toMatch(
      /^Error: Invalid input for tool "json_typed": name: .*expected string/,
    )
  })
})

describe('faults in the model stream', () => {
  it('throws a model error after a force_stop event and keeps the conversation valid', async () => {
    const model = new ScriptedModel([
      {
        error: new ModelError('provider exploded', { status: 500 }),
        events: [{ messageStart: { role: 'assistant' } }],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('Hi'))
    expect(ModelError.isInstance(error)).toBe(true)
    expect(events.at(-1)).toEqual({
      type: 'force_stop',
      force_stop: true,
      force_stop_reason: 'ModelError: provider exploded',
    })
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(agent.isRunning).toBe(false)
  })

  it('fails clearly when the stream ends without messageStop', async () => {
    const model = new ScriptedModel([
      {
        events: [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'cut' } } },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('Hi'))
    expect(ModelError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/ended before its messageStop/)
    expect(events.at(-1)?.type).toBe('force_stop')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('fails clearly on tool input without a tool start', async () => {
    const model = new ScriptedModel([
      {
        events: [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{}' } } } },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { error } = await collectStream(agent.stream('Hi'))
    expect(ModelError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/malformed stream/)
  })

  it('raises MaxTokensReachedError when the output limit cuts a tool call', async () => {
    const model = new ScriptedModel([
      {
        events: [
          { messageStart: { role: 'assistant' } },
          {
            contentBlockStart: {
              contentBlockIndex: 0,
              start: { toolUse: { toolUseId: 'z', name: 'calculator' } },
            },
          },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"a":' } } } },
          { messageStop: { stopReason: 'max_tokens' } },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('Hi'))
    expect(MaxTokensReachedError.isInstance(error)).toBe(true)
    expect(events.at(-1)?.type).toBe('force_stop')
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('stopping a run', () => {
  it('aborts the model request when the consumer breaks out mid-stream', async () => {
    const { model, seen } = hangingModel()
    const agent = new Agent({ model, callbackHandler: null })
    for await (const event of agent.stream('Hi')) {
      if (event.type === 'data') break
    }
    expect(seen.request?.signal?.aborted).toBe(true)
    expect(seen.abortedAt).toBeDefined()
    expect(agent.isRunning).toBe(false)
    expect(agent.messages).toEqual([
      { role: 'user', content: [{ text: 'Hi' }] },
      { role: 'assistant', content: [{ text: 'partial ' }] },
    ])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('aborts through the signal during the model stream with force_stop then AbortError', async () => {
    const { model, seen } = hangingModel()
    const agent = new Agent({ model, callbackHandler: null })
    const controller = new AbortController()
    const events: AgentEvent[] = []
    let error: unknown
    try {
      for await (const event of agent.stream('Hi', { signal: controller.signal })) {
        events.push(event)
        if (event.type === 'data') controller.abort()
      }
    } catch (caught) {
      error = caught
    }
    expect(AbortError.isInstance(error)).toBe(true)
    expect(events.at(-1)?.type).toBe('force_stop')
    expect(seen.request?.signal?.aborted).toBe(true)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('fails at once when the signal is already aborted', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'never' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    const { error } = await collectStream(agent.stream('Hi', { signal: AbortSignal.abort() }))
    expect(AbortError.isInstance(error)).toBe(true)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('aborts through the signal during a tool: the tool is signalled and every tool use is answered', async () => {
    const controller = new AbortController()
    let toolSignal: AbortSignal | undefined
    const waiting = tool({
      name: 'waiting',
      description: 'waits until aborted',
      inputSchema: { type: 'object', properties: {} },
      callback: (_input, { signal }) => {
        toolSignal = signal
        setTimeout(() => controller.abort(), 1)
        return new Promise(() => {})
      },
    })
    const model = new ScriptedModel([callTool('waiting')])
    const agent = new Agent({ model, tools: [waiting], callbackHandler: null })
    const { events, error } = await collectStream(agent.stream('go', { signal: controller.signal }))
    expect(AbortError.isInstance(error)).toBe(true)
    expect(toolSignal?.aborted).toBe(true)
    expect(events.at(-1)?.type).toBe('force_stop')
    const last = agent.messages.at(-1)!
    expect(last.role).toBe('user')
    expect(last.content[0]).toMatchObject({ toolResult: { toolUseId: 't1', status: 'error' } })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('agent.cancel() ends the run with stop reason cancelled', async () => {
    const { model, seen } = hangingModel()
    const agent = new Agent({ model, callbackHandler: null })
    const stream = agent.stream('Hi')
    const events: AgentEvent[] = []
    let step = await stream.next()
    while (!step.done) {
      events.push(step.value)
      if (step.value.type === 'data') agent.cancel()
      step = await stream.next()
    }
    expect(step.value.stopReason).toBe('cancelled')
    expect(events.at(-1)?.type).toBe('result')
    expect(seen.request?.signal?.aborted).toBe(true)
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(agent.isRunning).toBe(false)
  })

  it('agent.cancel() during tools answers every tool use', async () => {
    const agentHolder: { agent?: Agent } = {}
    const waiting = tool({
      name: 'waiting',
      description: 'waits',
      inputSchema: { type: 'object', properties: {} },
      callback: () => {
        setTimeout(() => agentHolder.agent?.cancel(), 1)
        return new Promise(() => {})
      },
    })
    const model = new ScriptedModel([callTool('waiting')])
    const agent = new Agent({ model, tools: [waiting], callbackHandler: null })
    agentHolder.agent = agent
    const result = await agent.invoke('go')
    expect(result.stopReason).toBe('cancelled')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('refuses a second concurrent invocation with ConcurrencyError and leaves the first intact', async () => {
    const { model } = hangingModel()
    const agent = new Agent({ model, callbackHandler: null })
    const first = agent.stream('first')
    await first.next()
    const second = await collectStream(agent.stream('second'))
    expect(ConcurrencyError.isInstance(second.error)).toBe(true)
    expect((second.error as Error).message).toMatch(/already running/)
    expect(second.events).toEqual([])
    await expect(agent.invoke('third')).rejects.toSatisfy(ConcurrencyError.isInstance)
    await first.return(undefined as never)
    expect(agent.isRunning).toBe(false)
    expect(agent.messages).toEqual([])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('holds no lock for a stream that was never iterated', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'ok' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    agent.stream('never read')
    const result = await agent.invoke('read')
    expect(String(result)).toBe('ok')
  })

  it('merges a new prompt into a trailing user message so roles keep alternating', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'ok' }] }])
    const messages = [{ role: 'user' as const, content: [{ text: 'Hi' }] }]
    const agent = new Agent({ model, messages, callbackHandler: null })
    await agent.invoke('again')
    expect(agent.messages[0]).toEqual({ role: 'user', content: [{ text: 'Hi' }, { text: 'again' }] })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('undoes the prompt of a run stopped before the model said anything, so the next prompt stands alone', async () => {
    const { model } = hangingModel()
    const agent = new Agent({ model, callbackHandler: null })
    const controller = new AbortController()
    const stream = agent.stream('What is the capital of France?', { signal: controller.signal })
    await stream.next()
    controller.abort()
    await collectStream(stream)
    expect(agent.messages).toEqual([])

    const next = new ScriptedModel([{ content: [{ text: '2' }] }])
    const second = new Agent({ model: next, messages: agent.messages, callbackHandler: null })
    await collectStream(second.stream('never answered', { signal: AbortSignal.abort() }))
    await second.invoke('1+1')
    expect(next.requests[0]!.messages).toEqual([{ role: 'user', content: [{ text: '1+1' }] }])
  })

  it('restores a trailing user message that a stopped prompt was merged into', async () => {
    const messages = [{ role: 'user' as const, content: [{ text: 'earlier' }] }]
    const agent = new Agent({ model: new ScriptedModel([]), messages, callbackHandler: null })
    await collectStream(agent.stream('merged then undone', { signal: AbortSignal.abort() }))
    expect(agent.messages).toEqual([{ role: 'user', content: [{ text: 'earlier' }] }])
  })

  it('keeps the prompt and the partial answer of a run stopped mid-answer', async () => {
    const model = new ScriptedModel([
      {
        hang: true,
        events: [
          { messageStart: { role: 'assistant' } },
          { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Paris is' } } },
        ],
      },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    for await (const event of agent.stream('Capital of France?')) if (event.type === 'data') break
    expect(agent.messages).toEqual([
      { role: 'user', content: [{ text: 'Capital of France?' }] },
      { role: 'assistant', content: [{ text: 'Paris is' }] },
    ])
  })
})

describe('a failing callback handler', () => {
  it('ends the run with its error, a force_stop first, and releases the agent', async () => {
    const model = new ScriptedModel([
      { content: [{ text: 'one two three' }] },
      { content: [{ text: 'again' }] },
    ])
    const agent = new Agent({
      model,
      callbackHandler: (event) => {
        if (event.type === 'data') throw new Error('handler broke')
      },
    })
    const { events, error } = await collectStream(agent.stream('Hi'))
    expect((error as Error).message).toBe('handler broke')
    expect(events.at(-1)?.type).toBe('force_stop')
    expect(agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('ending the stream while a read is pending', () => {
  it('return() during a pending next() aborts the model request and settles both', async () => {
    const { model, seen } = hangingModel([])
    const agent = new Agent({ model, callbackHandler: null })
    const stream = agent.stream('Hi')
    let step = await stream.next()
    while (!step.done && !(step.value.type === 'model_stream' && 'messageStart' in step.value.event)) {
      step = await stream.next()
    }
    const pending = stream.next() // waits on the model, which never sends more
    const returned = await stream.return(undefined as never)
    expect(returned.done).toBe(true)
    expect(seen.request?.signal?.aborted).toBe(true)
    await pending.catch(() => {}) // the pending read settles too (with the abort)
    expect(agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})
