import { describe, expect, it } from 'vitest'
import { Agent } from '../agent/agent.js'
import { AbortError } from '../errors/invocation-errors.js'
import { collectStream, conversationProblems } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { OfflineModel } from './offline-model.js'

const calculator = tool({
  name: 'calculator',
  description: 'evaluates arithmetic',
  inputSchema: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  callback: ({ expression }: { expression: string }) => {
    const [left, operator, right] = expression.split(/([+*])/).map((part) => part.trim())
    const value = operator === '+' ? Number(left) + Number(right) : Number(left) * Number(right)
    return `${value}\nEvaluated ${expression}`
  },
})

describe('the offline model', () => {
  it('asks the calculator for arithmetic and answers from its result, streaming token by token', async () => {
    const agent = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
    const { events, result } = await collectStream(agent.stream('Calculate 2+2'))
    expect(events.filter((event) => event.type === 'tool_use_stream').length).toBeGreaterThan(1)
    expect(events.find((event) => event.type === 'tool_result')).toMatchObject({
      tool_result: { status: 'success' },
    })
    expect(events.filter((event) => event.type === 'data').length).toBeGreaterThan(3)
    expect(String(result)).toMatch(/^2\+2 = 4\n/)
    expect(result?.metrics.usage.outputTokens).toBeGreaterThan(0)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('finds the arithmetic in a longer question', async () => {
    const agent = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
    const result = await agent.invoke('What is the capital of France and what is 42+7?')
    expect(String(result)).toContain('42+7 = 49')
  })

  it('says that no provider is configured when it cannot help', async () => {
    const agent = new Agent({ model: new OfflineModel(), callbackHandler: null })
    const result = await agent.invoke('Write me a poem')
    expect(String(result)).toMatch(/No model provider is configured/)
    expect(String(result)).toMatch(/OPENAI_API_KEY/)
  })

  it('stops when aborted', async () => {
    const agent = new Agent({ model: new OfflineModel({ tokenDelayMs: 5 }), callbackHandler: null })
    const controller = new AbortController()
    const stream = agent.stream('Write me a poem', { signal: controller.signal })
    const events = []
    try {
      for await (const event of stream) {
        events.push(event)
        if (event.type === 'data') controller.abort()
      }
    } catch (error) {
      expect(AbortError.isInstance(error)).toBe(true)
    }
    expect(events.filter((event) => event.type === 'data')).toHaveLength(1)
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})
