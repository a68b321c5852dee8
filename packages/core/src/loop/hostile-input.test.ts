import { describe, expect, it } from 'vitest'
import { Agent } from '../agent/agent.js'
import { AbortError } from '../errors/invocation-errors.js'
import type { AgentEvent } from '../events/agent-events.js'
import type { Model, ModelRequest } from '../model/model.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import { collectStream, conversationProblems, ScriptedModel } from '../testing/index.js'
import { defaultMaxResultChars } from '../tools/limit-tool-result.js'
import { tool } from '../tools/tool.js'
import type { ToolResult } from '../types/messages.js'

/** A provider that sends `before`, then never answers again and never looks at its signal. */
function deafModel(before: ModelStreamEvent[] = [{ messageStart: { role: 'assistant' } }]) {
  const seen: { requests: number; returned: boolean } = { requests: 0, returned: false }
  const model: Model = {
    provider: 'deaf',
    modelId: 'deaf',
    stream: (_request: ModelRequest) => {
      seen.requests++
      let index = 0
      return {
        [Symbol.asyncIterator]: () => ({
          next: () =>
            index < before.length
              ? Promise.resolve({ value: before[index++]!, done: false })
              : new Promise<IteratorResult<ModelStreamEvent>>(() => {}),
          return: () => {
            seen.returned = true
            return Promise.resolve({ value: undefined, done: true })
          },
        }),
      }
    },
  }
  return { model, seen }
}

/** Reads until the first model chunk, so that the next read is the one the model never answers. */
async function readToFirstChunk(stream: AsyncGenerator<AgentEvent>) {
  let step = await stream.next()
  while (!step.done && step.value.type !== 'model_stream') step = await stream.next()
}

const hostileValues: [string, () => unknown][] = [
  ['an object without a prototype', () => Object.create(null)],
  [
    'an object whose toString throws',
    () => ({
      toString() {
        throw new Error('no')
      },
    }),
  ],
  [
    'a Proxy whose every trap throws',
    () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('get')
          },
          getPrototypeOf() {
            throw new Error('getPrototypeOf')
          },
          has() {
            throw new Error('has')
          },
        },
      ),
  ],
  [
    'an Error whose message getter throws',
    () => {
      const error = new Error('x')
      Object.defineProperty(error, 'message', {
        get() {
          throw new Error('message')
        },
      })
      return error
    },
  ],
]

describe('a model that ignores its abort signal', () => {
  it('agent.cancel() ends the run with stop reason cancelled and closes the provider stream', async () => {
    const { model, seen } = deafModel()
    const agent = new Agent({ model, callbackHandler: null })
    const stream = agent.stream('Hi')
    await readToFirstChunk(stream)
    const rest = collectStream(stream)
    agent.cancel()
    const { result, error } = await rest
    expect(error).toBeUndefined()
    expect(result?.stopReason).toBe('cancelled')
    expect(seen.returned).toBe(true)
    expect(agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('an aborted signal ends invoke() with an AbortError after force_stop', async () => {
    const { model } = deafModel()
    const controller = new AbortController()
    const agent = new Agent({ model, callbackHandler: null })
    const events: AgentEvent[] = []
    const stream = agent.stream('Hi', { signal: controller.signal })
    await readToFirstChunk(stream)
    const rest = collectStream(stream)
    controller.abort()
    const { events: after, error } = await rest
    events.push(...after)
    expect(AbortError.isInstance(error)).toBe(true)
    expect(events.at(-1)?.type).toBe('force_stop')
    expect(agent.isRunning).toBe(false)
  })

  it('an abort between two reads ends the turn on the next read without asking the model', async () => {
    const { model } = deafModel()
    const agent = new Agent({ model, callbackHandler: null })
    const stream = agent.stream('Hi')
    await readToFirstChunk(stream)
    agent.cancel()
    const { result } = await collectStream(stream)
    expect(result?.stopReason).toBe('cancelled')
  })

  it('a model that never sends its first chunk is stopped too', async () => {
    const { model } = deafModel([])
    const agent = new Agent({ model, callbackHandler: null })
    const running = agent.invoke('Hi')
    await new Promise((resolve) => setTimeout(resolve, 5))
    agent.cancel()
    expect((await running).stopReason).toBe('cancelled')
  })
})

describe('values thrown that cannot be described the usual way', () => {
  for (const [label, make] of hostileValues) {
    it(`a tool that throws ${label} gets an error result and the run goes on`, async () => {
      const throwing = tool({
        name: 'throwing',
        description: 'throws',
        inputSchema: { type: 'object', properties: {} },
        callback: () => {
          throw make()
        },
      })
      const model = new ScriptedModel([
        { content: [{ toolUse: { toolUseId: 't1', name: 'throwing', input: {} } }] },
        { content: [{ text: 'done' }] },
      ])
      const agent = new Agent({ model, tools: [throwing], callbackHandler: null })
      const { events, result, error } = await collectStream(agent.stream('go'))
      expect(error).toBeUndefined()
      const toolResult = events.find((event) => event.type === 'tool_result')?.tool_result as ToolResult
      expect(toolResult.status).toBe('error')
      expect(String(result)).toBe('done')
      expect(conversationProblems(agent.messages)).toEqual([])
    })

    it(`a model that throws ${label} ends the run after force_stop, with what it threw`, async () => {
      const thrown = make()
      const model: Model = {
        provider: 'hostile',
        modelId: 'hostile',
        stream: () => ({
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(thrown) }),
        }),
      }
      const agent = new Agent({ model, callbackHandler: null })
      const { events, error } = await collectStream(agent.stream('go'))
      expect(error).toBe(thrown)
      const last = events.at(-1)
      expect(last?.type).toBe('force_stop')
      expect(typeof (last as { force_stop_reason: unknown }).force_stop_reason).toBe('string')
      expect(agent.isRunning).toBe(false)
    })
  }
})

describe('tool result size', () => {
  const bigTool = (size: number, maxResultChars?: number) =>
    tool({
      name: 'big',
      description: 'returns a lot',
      inputSchema: { type: 'object', properties: {} },
      ...(maxResultChars !== undefined && { maxResultChars }),
      callback: () => 'x'.repeat(size),
    })

  async function runBig(size: number, maxResultChars?: number) {
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 't1', name: 'big', input: {} } }] },
      { content: [{ text: 'ok' }] },
    ])
    const agent = new Agent({ model, tools: [bigTool(size, maxResultChars)], callbackHandler: null })
    await agent.invoke('go')
    const sent = model.requests[1]!.messages.at(-1)!.content[0] as { toolResult: ToolResult }
    return (sent.toolResult.content[0] as { text: string }).text
  }

  it('cuts a huge result to the default cap with a note the model can read', async () => {
    const text = await runBig(5_000_000)
    expect(text.length).toBeLessThan(defaultMaxResultChars + 300)
    expect(text).toMatch(/The tool result was cut: it had 5000000 characters and the limit is 100000/)
  })

  it('keeps a result under the cap as it is, and honours a per-tool cap', async () => {
    expect(await runBig(1000)).toBe('x'.repeat(1000))
    const cut = await runBig(1000, 10)
    expect(cut.startsWith('x'.repeat(10))).toBe(true)
    expect(cut).toMatch(/limit is 10\b/)
  })
})
