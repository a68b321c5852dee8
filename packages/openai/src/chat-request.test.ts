import type { Message, ModelRequest } from '@agent/core'
import { describe, expect, it } from 'vitest'
import { type ConvertedMessages, toChatMessages } from './chat-request.js'

const requestOf = (messages: Message[]): ModelRequest => ({ messages })

describe('converting the conversation once per message', () => {
  it('reuses what an unchanged message became, and converts a message edited in place again', () => {
    const converted: ConvertedMessages = new WeakMap()
    const question: Message = { role: 'user', content: [{ text: 'first' }] }
    const answer: Message = { role: 'assistant', content: [{ text: 'reply' }] }
    const messages = [question, answer]
    const first = toChatMessages(requestOf(messages), false, converted)
    const again = toChatMessages(requestOf(messages), false, converted)
    expect(again[0]).toBe(first[0])
    expect(again[1]).toBe(first[1])

    // A prompt merged into a trailing message, then undone; a block swapped by a guardrail.
    question.content.push({ text: 'merged' })
    expect(toChatMessages(requestOf(messages), false, converted)[0]).toEqual({
      role: 'user',
      content: 'first\nmerged',
    })
    question.content.length = 1
    expect(toChatMessages(requestOf(messages), false, converted)[0]).toEqual({
      role: 'user',
      content: 'first',
    })
    answer.content.splice(0, 1, { text: 'redacted' })
    expect(toChatMessages(requestOf(messages), false, converted)[1]).toMatchObject({ content: 'redacted' })
  })
})
