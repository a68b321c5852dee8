import { Agent, type Model, type ModelStreamEvent, tool } from '@agent/core'
import { collectStream, conversationProblems } from '@agent/core/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { OpenAIModel, OpenAIResponsesModel } from './index.js'
import {
  chatEventStream,
  type LoopbackOpenAIServer,
  responsesEventStream,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'

// Hand-written wire data: two parallel calls whose argument pieces alternate (call 0, 1, 0, 1), as vLLM
// and some gateways send them, and as the Responses API may for parallel function calls.
const chatChunk = (toolCall: object, finish: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { tool_calls: [toolCall] }, finish_reason: finish }],
})
const interleavedChat = chatEventStream([
  { id: 'chatcmpl-1', choices: [{ index: 0, delta: { role: 'assistant', content: 'Checking both. ' } }] },
  chatChunk({ index: 0, id: 'call_oslo', type: 'function', function: { name: 'weather', arguments: '' } }),
  chatChunk({
    index: 1,
    id: 'call_rome',
    type: 'function',
    function: { name: 'weather', arguments: '{"ci' },
  }),
  chatChunk({ index: 0, function: { arguments: '{"city":' } }),
  chatChunk({ index: 1, function: { arguments: 'ty":"Rome"}' } }),
  chatChunk({ index: 0, function: { arguments: '"Oslo"}' } }),
  { id: 'chatcmpl-1', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
])

const call = (outputIndex: number, id: string) => ({
  type: 'response.output_item.added',
  output_index: outputIndex,
  item: { type: 'function_call', id: `fc_${id}`, call_id: id, name: 'weather', arguments: '' },
})
const piece = (outputIndex: number, delta: string) => ({
  type: 'response.function_call_arguments.delta',
  output_index: outputIndex,
  delta,
})
const done = (outputIndex: number, id: string, args: string) => ({
  type: 'response.output_item.done',
  output_index: outputIndex,
  item: { type: 'function_call', id: `fc_${id}`, call_id: id, name: 'weather', arguments: args },
})
const interleavedResponses = responsesEventStream([
  { type: 'response.created', response: { id: 'resp_1', status: 'in_progress' } },
  call(0, 'call_oslo'),
  call(1, 'call_rome'),
  piece(0, '{"city":'),
  piece(1, '{"city":"Ro'),
  piece(0, '"Oslo"}'),
  piece(1, 'me"}'),
  done(1, 'call_rome', '{"city":"Rome"}'),
  done(0, 'call_oslo', '{"city":"Oslo"}'),
  {
    type: 'response.completed',
    response: {
      id: 'resp_1',
      status: 'completed',
      usage: { input_tokens: 20, output_tokens: 16, total_tokens: 36 },
    },
  },
])

const chatAnswer = chatEventStream([
  { id: 'chatcmpl-2', choices: [{ index: 0, delta: { content: 'Oslo 3°, Rome 18°.' } }] },
  { id: 'chatcmpl-2', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
])
const responsesAnswer = responsesEventStream([
  { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Oslo 3°, Rome 18°.' },
  { type: 'response.output_item.done', output_index: 0, item: { type: 'message' } },
  { type: 'response.completed', response: { id: 'resp_2', status: 'completed' } },
])

async function runWith(model: Model) {
  const cities: string[] = []
  const weather = tool({
    name: 'weather',
    description: 'The weather in a city',
    inputSchema: z.object({ city: z.string() }),
    callback: ({ city }) => {
      cities.push(city)
      return city === 'Oslo' ? '3°' : '18°'
    },
  })
  const agent = new Agent({ model, tools: [weather], callbackHandler: null })
  const collected = await collectStream(agent.stream('Weather in Oslo and Rome?'))
  const modelEvents = collected.events.flatMap((event) =>
    event.type === 'model_stream' ? [event.event] : [],
  )
  return { ...collected, agent, cities, modelEvents }
}

function toolUsesOf(agent: Agent) {
  return agent.messages[1]!.content.flatMap((block) => ('toolUse' in block ? [block.toolUse] : []))
}

/** Each tool block's argument pieces under its own index, in wire order. */
function piecesByBlock(events: ModelStreamEvent[]): [number, string][] {
  return events.flatMap((event) =>
    'contentBlockDelta' in event && 'toolUse' in event.contentBlockDelta.delta
      ? [
          [event.contentBlockDelta.contentBlockIndex, event.contentBlockDelta.delta.toolUse.input] as [
            number,
            string,
          ],
        ]
      : [],
  )
}

describe('interleaved parallel tool calls', () => {
  let server: LoopbackOpenAIServer
  useLoopbackOpenAIServer((started) => {
    server = started
  })

  it('Chat Completions: pieces of two calls that alternate build two calls, both run, both answered', async () => {
    server.reply({ sse: interleavedChat }, { sse: chatAnswer })
    const model = new OpenAIModel({ modelId: 'qwen3', clientArgs: { apiKey: 'k', baseURL: server.baseURL } })
    const { agent, cities, error, result, modelEvents } = await runWith(model)
    expect(error).toBeUndefined()
    expect(piecesByBlock(modelEvents)).toEqual([
      [2, '{"ci'],
      [1, '{"city":'],
      [2, 'ty":"Rome"}'],
      [1, '"Oslo"}'],
    ])
    expect(toolUsesOf(agent)).toEqual([
      { toolUseId: 'call_oslo', name: 'weather', input: { city: 'Oslo' } },
      { toolUseId: 'call_rome', name: 'weather', input: { city: 'Rome' } },
    ])
    expect(cities.sort()).toEqual(['Oslo', 'Rome'])
    expect(String(result)).toBe('Oslo 3°, Rome 18°.')
    const sent = server.requests.at(-1)!.body!.messages as { role: string; tool_call_id?: string }[]
    expect(sent.filter((message) => message.role === 'tool').map((message) => message.tool_call_id)).toEqual([
      'call_oslo',
      'call_rome',
    ])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('Responses: argument deltas of two function calls that alternate build two calls, both answered', async () => {
    server.reply({ sse: interleavedResponses }, { sse: responsesAnswer })
    const model = new OpenAIResponsesModel({
      modelId: 'gpt-4.1',
      clientArgs: { apiKey: 'k', baseURL: server.baseURL },
    })
    const { agent, cities, error, result, modelEvents } = await runWith(model)
    expect(error).toBeUndefined()
    expect(piecesByBlock(modelEvents)).toEqual([
      [0, '{"city":'],
      [1, '{"city":"Ro'],
      [0, '"Oslo"}'],
      [1, 'me"}'],
    ])
    expect(toolUsesOf(agent)).toEqual([
      { toolUseId: 'call_oslo', name: 'weather', input: { city: 'Oslo' } },
      { toolUseId: 'call_rome', name: 'weather', input: { city: 'Rome' } },
    ])
    expect(cities.sort()).toEqual(['Oslo', 'Rome'])
    expect(String(result)).toBe('Oslo 3°, Rome 18°.')
    const input = server.requests.at(-1)!.body!.input as { type?: string; call_id?: string }[]
    expect(input.filter((item) => item.type === 'function_call_output').map((item) => item.call_id)).toEqual([
      'call_oslo',
      'call_rome',
    ])
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})
