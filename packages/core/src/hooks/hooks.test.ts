import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { HookError } from '../errors/hook-error.js'
import { AbortError } from '../errors/invocation-errors.js'
import { ModelError } from '../errors/model-error.js'
import { collectStream, conversationProblems, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { addGlobalHooks } from './global-hooks.js'
import {
  AfterInvocationEvent,
  AfterModelCallEvent,
  AfterToolCallEvent,
  BeforeInvocationEvent,
  BeforeModelCallEvent,
  BeforeToolCallEvent,
  MessageAddedEvent,
} from './hook-events.js'
import type { HookProvider, HookRegistry } from './hook-registry.js'

const callTool = (name: string, input: unknown = {}, toolUseId = 't1') => ({
  content: [{ toolUse: { toolUseId, name, input: input as never } }],
})

const calls: string[] = []
const adder = tool({
  name: 'adder',
  description: 'adds',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  callback: ({ a, b }) => {
    calls.push(`adder ${a}+${b}`)
    return a + b
  },
})
const multiplier = tool({
  name: 'multiplier',
  description: 'multiplies',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  callback: ({ a, b }) => a * b,
})

function resultTexts(agent: Agent): string[] {
  return agent.messages.flatMap((message) =>
    message.content.flatMap((block) =>
      'toolResult' in block
        ? block.toolResult.content.map((part) => ('text' in part ? part.text : JSON.stringify(part)))
        : [],
    ),
  )
}

describe('hook events', () => {
  it('fire in order around the invocation, model calls, tool calls and messages', async () => {
    const seen: string[] = []
    const logger: HookProvider = {
      registerHooks(registry: HookRegistry) {
        registry.add(BeforeInvocationEvent, () => {
          seen.push('BeforeInvocation')
        })
        registry.add(MessageAddedEvent, (event) => {
          seen.push(`MessageAdded:${event.message.role}`)
        })
        registry.add(BeforeModelCallEvent, (event) => {
          seen.push(`BeforeModelCall:${event.cycle}/${event.attempt}`)
        })
        registry.add(AfterModelCallEvent, (event) => {
          seen.push(`AfterModelCall:${event.stopReason}`)
        })
        registry.add(BeforeToolCallEvent, (event) => {
          seen.push(`BeforeToolCall:${event.toolUse.name}`)
        })
        registry.add(AfterToolCallEvent, (event) => {
          seen.push(`AfterToolCall:${event.result.status}`)
        })
        registry.add(AfterInvocationEvent, (event) => {
          seen.push(`AfterInvocation:${event.result?.stopReason}`)
        })
      },
    }
    const model = new ScriptedModel([callTool('adder', { a: 1, b: 2 }), { content: [{ text: '3' }] }])
    const agent = new Agent({ model, tools: [adder], hooks: [logger], callbackHandler: null })
    await agent.invoke('1+2')
    expect(seen).toEqual([
      'BeforeInvocation',
      'MessageAdded:user',
      'BeforeModelCall:1/1',
      'AfterModelCall:tool_use',
      'MessageAdded:assistant',
      'BeforeToolCall:adder',
      'AfterToolCall:success',
      'MessageAdded:user',
      'BeforeModelCall:2/1',
      'AfterModelCall:end_turn',
      'MessageAdded:assistant',
      'AfterInvocation:end_turn',
    ])
  })

  it('runs After-event callbacks in reverse registration order', async () => {
    const order: string[] = []
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'hi' }] }]),
      callbackHandler: null,
    })
    for (const name of ['first', 'second', 'third']) {
      agent.hooks.add(BeforeInvocationEvent, () => {
        order.push(`before ${name}`)
      })
      agent.hooks.add(AfterInvocationEvent, () => {
        order.push(`after ${name}`)
      })
    }
    await agent.invoke('Hi')
    expect(order).toEqual([
      'before first',
      'before second',
      'before third',
      'after third',
      'after second',
      'after first',
    ])
  })

  it('add() returns a function that removes the callback', async () => {
    let count = 0
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'a' }] }, { content: [{ text: 'b' }] }]),
      callbackHandler: null,
    })
    const remove = agent.hooks.add(BeforeInvocationEvent, () => {
      count++
    })
    await agent.invoke('one')
    remove()
    await agent.invoke('two')
    expect(count).toBe(1)
  })
})

describe('BeforeToolCall and AfterToolCall', () => {
  it('can replace the input', async () => {
    calls.length = 0
    const model = new ScriptedModel([callTool('adder', { a: 1, b: 2 }), { content: [{ text: 'ok' }] }])
    const agent = new Agent({ model, tools: [adder], callbackHandler: null })
    agent.hooks.add(BeforeToolCallEvent, (event) => {
      event.toolUse.input = { a: 40, b: 2 }
    })
    await agent.invoke('go')
    expect(calls).toEqual(['adder 40+2'])
    expect(resultTexts(agent)).toEqual(['42'])
    // The model's own tool use stays as it was sent.
    expect(JSON.stringify(agent.messages[1])).toContain('"a":1')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('can swap the tool', async () => {
    const model = new ScriptedModel([callTool('adder', { a: 6, b: 7 }), { content: [{ text: 'ok' }] }])
    const agent = new Agent({ model, tools: [adder], callbackHandler: null })
    agent.hooks.add(BeforeToolCallEvent, (event) => {
      event.tool = multiplier
    })
    await agent.invoke('go')
    expect(resultTexts(agent)).toEqual(['42'])
  })

  it('can cancel the call with a message for the model', async () => {
    calls.length = 0
    const model = new ScriptedModel([
      callTool('adder', { a: 1, b: 1 }),
      { content: [{ text: 'understood' }] },
    ])
    const agent = new Agent({ model, tools: [adder], callbackHandler: null })
    agent.hooks.add(BeforeToolCallEvent, (event) => {
      event.cancel = 'the user did not approve this call'
    })
    const afterSeen: boolean[] = []
    agent.hooks.add(AfterToolCallEvent, (event) => {
      afterSeen.push(event.cancelled)
    })
    const result = await agent.invoke('go')
    expect(calls).toEqual([])
    expect(afterSeen).toEqual([true])
    expect(resultTexts(agent)[0]).toMatch(/was not run: the user did not approve this call/)
    expect(result.metrics.tools.adder).toMatchObject({ callCount: 1, errorCount: 1 })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('AfterToolCall can replace the result; its toolUseId is kept', async () => {
    const model = new ScriptedModel([callTool('adder', { a: 1, b: 1 }), { content: [{ text: 'ok' }] }])
    const agent = new Agent({ model, tools: [adder], callbackHandler: null })
    agent.hooks.add(AfterToolCallEvent, (event) => {
      event.result = { toolUseId: 'forged', status: 'success', content: [{ text: '[redacted]' }] }
    })
    const { events } = await collectStream(agent.stream('go'))
    expect(resultTexts(agent)).toEqual(['[redacted]'])
    const streamed = events.find((event) => event.type === 'tool_result')
    expect(streamed).toMatchObject({ tool_result: { toolUseId: 't1', content: [{ text: '[redacted]' }] } })
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('AfterModelCall', () => {
  it('can request a retry of a finished call', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'draft' }] }, { content: [{ text: 'final' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    agent.hooks.add(AfterModelCallEvent, (event) => {
      if (event.attempt === 1) event.retry = true
    })
    const result = await agent.invoke('Hi')
    expect(String(result)).toBe('final')
    expect(agent.messages.map((message) => message.content)).toEqual([[{ text: 'Hi' }], [{ text: 'final' }]])
    expect(result.metrics.modelCallCount).toBe(2)
  })

  it('sees a failed call and can retry it', async () => {
    const model = new ScriptedModel([
      { error: new ModelError('Service unavailable', { status: 503 }) },
      { content: [{ text: 'recovered' }] },
    ])
    const agent = new Agent({ model, callbackHandler: null, retryStrategy: null })
    const errors: unknown[] = []
    agent.hooks.add(AfterModelCallEvent, (event) => {
      if (event.error !== undefined) {
        errors.push(event.error)
        event.retry = true
      }
    })
    expect(String(await agent.invoke('Hi'))).toBe('recovered')
    expect(errors).toHaveLength(1)
  })
})

describe('AfterInvocation', () => {
  it('runs when the run fails, with the error', async () => {
    const agent = new Agent({
      model: new ScriptedModel([{ error: new ModelError('bad request', { status: 400 }) }]),
      callbackHandler: null,
    })
    const seen: AfterInvocationEvent[] = []
    agent.hooks.add(AfterInvocationEvent, (event) => {
      seen.push(event)
    })
    await expect(agent.invoke('Hi')).rejects.toThrow('bad request')
    expect(seen).toHaveLength(1)
    expect(seen[0]!.result).toBeUndefined()
    expect(ModelError.isInstance(seen[0]!.error)).toBe(true)
  })

  it('runs when the run is aborted', async () => {
    const controller = new AbortController()
    const agent = new Agent({
      model: new ScriptedModel([{ hang: true, events: [{ messageStart: { role: 'assistant' } }] }]),
      callbackHandler: (event) => {
        if (event.type === 'model_stream') controller.abort()
      },
    })
    const seen: unknown[] = []
    agent.hooks.add(AfterInvocationEvent, (event) => {
      seen.push(event.error)
    })
    await expect(agent.invoke('Hi', { signal: controller.signal })).rejects.toSatisfy(AbortError.isInstance)
    expect(seen).toHaveLength(1)
    expect(AbortError.isInstance(seen[0])).toBe(true)
  })

  it('runs when the consumer breaks out of the stream early', async () => {
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'a long answer that is not read' }] }]),
      callbackHandler: null,
    })
    let ran = 0
    agent.hooks.add(AfterInvocationEvent, () => {
      ran++
    })
    for await (const event of agent.stream('Hi')) if (event.type === 'data') break
    expect(ran).toBe(1)
    expect(agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('a hook that throws', () => {
  it('ends the run with a HookError naming the event; the conversation stays valid', async () => {
    const model = new ScriptedModel([
      {
        content: [
          { toolUse: { toolUseId: 'a', name: 'adder', input: { a: 1, b: 1 } } },
          { toolUse: { toolUseId: 'b', name: 'adder', input: { a: 2, b: 2 } } },
        ],
      },
    ])
    const agent = new Agent({ model, tools: [adder], callbackHandler: null })
    agent.hooks.add(BeforeToolCallEvent, (event) => {
      if (event.toolUse.toolUseId === 'b') throw new Error('policy service down')
    })
    const after: unknown[] = []
    agent.hooks.add(AfterInvocationEvent, (event) => {
      after.push(event.error)
    })
    const { error, events } = await collectStream(agent.stream('go'))
    expect(HookError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/BeforeToolCallEvent hook threw: policy service down/)
    expect((error as Error & { cause: Error }).cause.message).toBe('policy service down')
    expect(events.at(-1)).toMatchObject({ type: 'force_stop' })
    expect(after).toEqual([error])
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(agent.isRunning).toBe(false)
  })

  it('in BeforeInvocation: nothing is added to the conversation', async () => {
    const agent = new Agent({ model: new ScriptedModel([]), callbackHandler: null })
    agent.hooks.add(BeforeInvocationEvent, () => {
      throw new TypeError('misconfigured')
    })
    await expect(agent.invoke('Hi')).rejects.toSatisfy(HookError.isInstance)
    expect(agent.messages).toEqual([])
  })

  it('in AfterInvocation after a successful run: the invocation rejects with the HookError', async () => {
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'hi' }] }]),
      callbackHandler: null,
    })
    agent.hooks.add(AfterInvocationEvent, () => {
      throw new Error('audit log unavailable')
    })
    await expect(agent.invoke('Hi')).rejects.toThrow(/AfterInvocationEvent hook threw: audit log unavailable/)
    expect(agent.isRunning).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('in AfterInvocation after a failed run: the run keeps its own error', async () => {
    const agent = new Agent({
      model: new ScriptedModel([{ error: new ModelError('original failure') }]),
      callbackHandler: null,
    })
    agent.hooks.add(AfterInvocationEvent, () => {
      throw new Error('secondary')
    })
    await expect(agent.invoke('Hi')).rejects.toThrow('original failure')
  })
})

describe('global hooks', () => {
  it('are added to every agent built after addGlobalHooks, until removed', async () => {
    const seen: string[] = []
    const remove = addGlobalHooks({
      registerHooks: (registry) =>
        registry.add(BeforeInvocationEvent, (event) => void seen.push(event.agent.name)),
    })
    const during = new Agent({
      name: 'during',
      model: new ScriptedModel([{ content: [{ text: 'a' }] }]),
      callbackHandler: null,
    })
    remove()
    const after = new Agent({
      name: 'after',
      model: new ScriptedModel([{ content: [{ text: 'b' }] }]),
      callbackHandler: null,
    })
    await during.invoke('x')
    await after.invoke('y')
    expect(seen).toEqual(['during'])
  })
})

describe('model call hooks', () => {
  it('name the model and report the usage and latency of each call', async () => {
    const seen: unknown[] = []
    const model = new ScriptedModel([
      { content: [{ text: 'hi' }], usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    agent.hooks.add(BeforeModelCallEvent, (event) => void seen.push(event.model.provider))
    agent.hooks.add(AfterModelCallEvent, (event) => {
      seen.push(event.model.modelId, event.usage, typeof event.metrics?.latencyMs)
    })
    await agent.invoke('x')
    expect(seen).toEqual([
      'scripted',
      'scripted',
      { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
      'number',
    ])
  })
})
