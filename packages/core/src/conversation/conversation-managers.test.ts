import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { ContextWindowOverflowError } from '../errors/model-error.js'
import type { ModelRequest } from '../model/model.js'
import { collectStream, conversationProblems, ScriptedModel, type ScriptedTurn } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import type { Message } from '../types/messages.js'
import { NullConversationManager } from './conversation-manager.js'
import { SlidingWindowConversationManager } from './sliding-window-conversation-manager.js'
import { SummarizingConversationManager, summaryPrefix } from './summarizing-conversation-manager.js'

const overflow = (): ScriptedTurn => ({
  error: new ContextWindowOverflowError('Input is too long for requested model.', { status: 400 }),
})

/** `turns` exchanges, each a prompt, a tool call, its result and an answer (4 messages). */
function toolConversation(turns: number, resultText = 'ok'): Message[] {
  const messages: Message[] = []
  for (let index = 0; index < turns; index++) {
    messages.push(
      { role: 'user', content: [{ text: `question ${index}` }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: `t${index}`, name: 'lookup', input: {} } }] },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: `t${index}`, status: 'success', content: [{ text: resultText }] } },
        ],
      },
      { role: 'assistant', content: [{ text: `answer ${index}` }] },
    )
  }
  return messages
}

const lookup = tool({
  name: 'lookup',
  description: 'looks up',
  inputSchema: z.object({}),
  callback: () => 'x'.repeat(50_000),
})

describe('SlidingWindowConversationManager', () => {
  it('is the default, with a window of 40 messages applied after each invocation', async () => {
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'fine' }] }]),
      messages: toolConversation(15),
      callbackHandler: null,
    })
    expect(agent.conversationManager).toBeInstanceOf(SlidingWindowConversationManager)
    await agent.invoke('one more')
    expect(agent.messages.length).toBeLessThanOrEqual(40)
    expect(agent.messages.length).toBeGreaterThan(30)
    expect(agent.messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'fine' }] })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('never starts the window between a tool use and its result', () => {
    const manager = new SlidingWindowConversationManager({ windowSize: 6 })
    for (let size = 1; size <= 12; size++) {
      const messages = toolConversation(4)
      new SlidingWindowConversationManager({ windowSize: size }).applyManagement(messages)
      expect(conversationProblems(messages)).toEqual([])
      expect(messages[0]?.role).toBe('user')
      expect(messages[0]?.content.some((block) => 'toolResult' in block)).toBe(false)
    }
    const messages = toolConversation(4)
    manager.applyManagement(messages)
    expect(messages.length).toBeLessThanOrEqual(6)
    expect(manager.removedMessageCount).toBe(16 - messages.length)
  })

  it('on overflow first truncates oversized tool results, then retries the model call', async () => {
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 'big', name: 'lookup', input: {} } }] },
      overflow(),
      { content: [{ text: 'summarised the big page' }] },
    ])
    const agent = new Agent({ model, tools: [lookup], callbackHandler: null })
    const result = await agent.invoke('fetch the page')
    expect(String(result)).toBe('summarised the big page')
    const retried = model.requests[2]!.messages
    expect(retried).toHaveLength(3)
    const toolResult = retried[2]!.content[0]
    const text = toolResult && 'toolResult' in toolResult ? JSON.stringify(toolResult.toolResult.content) : ''
    expect(text.length).toBeLessThan(1500)
    expect(text).toContain('Tool result truncated to fit the context window')
    expect(result.metrics.contextReductionCount).toBe(1)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('replaces a message whose tool result it shortens, so per-message caches never serve the old one', () => {
    const small: Message = { role: 'user', content: [{ text: 'hi' }] }
    const big: Message = {
      role: 'user',
      content: [
        { toolResult: { toolUseId: 't', status: 'success', content: [{ text: 'x'.repeat(200_000) }] } },
      ],
    }
    const messages = [small, big]
    expect(new SlidingWindowConversationManager().truncateOversizedToolResults(messages)).toBe(1)
    expect(messages[0]).toBe(small)
    expect(messages[1]).not.toBe(big)
    expect(JSON.stringify(messages[1]).length).toBeLessThan(2000)
    expect(JSON.stringify(big).length).toBeGreaterThan(200_000)
  })

  it('on overflow then drops the oldest messages at a safe point', async () => {
    const model = new ScriptedModel([overflow(), overflow(), { content: [{ text: 'ok' }] }])
    const agent = new Agent({
      model,
      messages: toolConversation(3),
      conversationManager: new SlidingWindowConversationManager({ windowSize: 40 }),
      callbackHandler: null,
    })
    await agent.invoke('latest question')
    const sizes = model.requests.map((request) => request.messages.length)
    expect(sizes[0]).toBe(13)
    expect(sizes[1]!).toBeLessThan(sizes[0]!)
    expect(sizes[2]!).toBeLessThan(sizes[1]!)
    for (const request of model.requests) expect(conversationProblems(request.messages)).toEqual([])
    expect(model.requests[2]!.messages.at(-1)).toEqual({
      role: 'user',
      content: [{ text: 'latest question' }],
    })
  })

  it('an overflow that cannot be reduced ends with a clear ContextWindowOverflowError', async () => {
    const model = new ScriptedModel([overflow(), overflow(), overflow(), overflow()])
    const agent = new Agent({ model, messages: toolConversation(1), callbackHandler: null })
    const { error, events } = await collectStream(agent.stream('a prompt far too long'))
    expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/cannot be made smaller/)
    expect((error as Error).message).toMatch(/Start a new conversation/)
    expect(events.at(-1)).toMatchObject({ type: 'force_stop' })
    // One reduction (the old exchange), then nothing left to remove but the prompt itself.
    expect(model.requests).toHaveLength(2)
    expect(agent.messages).toEqual([{ role: 'user', content: [{ text: 'a prompt far too long' }] }])
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('SummarizingConversationManager', () => {
  it("replaces the oldest messages with a summary written by the agent's model, keeping recent ones", async () => {
    const summaryRequests: ModelRequest[] = []
    const model = new ScriptedModel([
      overflow(),
      (request) => {
        summaryRequests.push(request)
        return { content: [{ text: 'The user asked 3 questions; lookups worked.' }] }
      },
      { content: [{ text: 'answer with summary' }] },
    ])
    const agent = new Agent({
      model,
      messages: toolConversation(4),
      conversationManager: new SummarizingConversationManager({
        summaryRatio: 0.5,
        preserveRecentMessages: 4,
      }),
      callbackHandler: null,
    })
    const result = await agent.invoke('next question')
    expect(String(result)).toBe('answer with summary')
    expect(summaryRequests).toHaveLength(1)
    expect(summaryRequests[0]!.toolSpecs).toBeUndefined()
    expect(JSON.stringify(summaryRequests[0]!.messages)).toContain('question 0')
    const sent = model.requests[2]!.messages
    expect(sent.length).toBeLessThan(17)
    // The summary joins the first kept user message, so that roles keep alternating.
    expect(sent[0]?.role).toBe('user')
    expect(sent[0]?.content[0]).toEqual({ text: expect.stringContaining(summaryPrefix) })
    expect(sent[0]?.content[1]).toEqual({ text: 'question 2' })
    expect(JSON.stringify(sent[0])).toContain('The user asked 3 questions')
    expect(sent.at(-1)).toEqual({ role: 'user', content: [{ text: 'next question' }] })
    expect(conversationProblems(sent)).toEqual([])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('uses the given summarization model and never cuts between a tool use and its result', async () => {
    const summarizer = new ScriptedModel([{ content: [{ text: 'short summary' }] }])
    const model = new ScriptedModel([overflow(), { content: [{ text: 'done' }] }])
    // A ratio that lands on a tool-result message: the cut moves forward.
    const messages = toolConversation(3)
    const agent = new Agent({
      model,
      messages,
      conversationManager: new SummarizingConversationManager({
        summaryRatio: 0.2,
        preserveRecentMessages: 2,
        summarizationModel: summarizer,
      }),
      callbackHandler: null,
    })
    await agent.invoke('go on')
    expect(summarizer.requests).toHaveLength(1)
    expect(conversationProblems(model.requests[1]!.messages)).toEqual([])
    expect(JSON.stringify(model.requests[1]!.messages[0])).toContain('short summary')
  })

  it('fails clearly when only preserved messages are left', async () => {
    const model = new ScriptedModel([overflow()])
    const agent = new Agent({
      model,
      conversationManager: new SummarizingConversationManager({ preserveRecentMessages: 10 }),
      callbackHandler: null,
    })
    const { error } = await collectStream(agent.stream('too long'))
    expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/cannot be made smaller/)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('a custom conversation manager', () => {
  it('that never shrinks the conversation cannot make the loop spin: it ends after 32 reductions', async () => {
    let calls = 0
    const model = new ScriptedModel(Array.from({ length: 40 }, overflow))
    const agent = new Agent({
      model,
      conversationManager: {
        applyManagement() {},
        reduceContext() {
          calls++
        },
      },
      callbackHandler: null,
    })
    const { error } = await collectStream(agent.stream('Hi'))
    expect(ContextWindowOverflowError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/still too large after 32 reductions/)
    expect(calls).toBe(32)
    expect(model.requests).toHaveLength(33)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('SummarizingConversationManager faults', () => {
  it('an empty summary is a clear error, and the conversation is left as it was', async () => {
    const summarizer = new ScriptedModel([{ content: [{ text: '  ' }] }])
    const messages = toolConversation(3)
    const before = structuredClone(messages)
    const agent = new Agent({
      model: new ScriptedModel([overflow()]),
      messages,
      conversationManager: new SummarizingConversationManager({
        preserveRecentMessages: 2,
        summarizationModel: summarizer,
      }),
      callbackHandler: null,
    })
    await expect(agent.invoke('next')).rejects.toThrow(/returned an empty summary/)
    expect(agent.messages.slice(0, before.length)).toEqual(before)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('a summarization model that overflows too is a clear error', async () => {
    const agent = new Agent({
      model: new ScriptedModel([overflow()]),
      messages: toolConversation(3),
      conversationManager: new SummarizingConversationManager({
        preserveRecentMessages: 2,
        summarizationModel: new ScriptedModel([overflow()]),
      }),
      callbackHandler: null,
    })
    await expect(agent.invoke('next')).rejects.toThrow(/itself too large for the summarization model/)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('NullConversationManager', () => {
  it('keeps everything and turns an overflow into a clear error', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'a' }] }, overflow()])
    const agent = new Agent({
      model,
      messages: toolConversation(12),
      conversationManager: new NullConversationManager(),
      callbackHandler: null,
    })
    await agent.invoke('first')
    expect(agent.messages).toHaveLength(50)
    await expect(agent.invoke('second')).rejects.toThrow(/NullConversationManager keeps every message/)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})
