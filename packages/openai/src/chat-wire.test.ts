// Every Chat Completions behaviour the recordings exercise, on wire data written here, so that a clone
// without the recordings still tests each path (and both stream readers).
import type { ModelStreamEvent } from '@agent/core'
import { describe, expect, it } from 'vitest'
import { OpenAIModel } from './index.js'
import { type ExpectedBlock, expectedEvents } from './test-support/expected-events.js'
import {
  chatEventStream,
  type LoopbackOpenAIServer,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'
import { streamPaths } from './test-support/stream-paths.js'

const id = 'chatcmpl-wire'
type Delta = Record<string, unknown>

const chunk = (delta: Delta, finishReason: string | null = null, extra: object = {}) => ({
  id,
  object: 'chat.completion.chunk',
  created: 1,
  model: 'wire-model',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  ...extra,
})
const usageChunk = (usage: object) => ({ id, object: 'chat.completion.chunk', choices: [], usage })
const call = (index: number, fields: { id?: string; name?: string; arguments: string }) => ({
  tool_calls: [
    {
      index,
      ...(fields.id === undefined ? {} : { id: fields.id, type: 'function' }),
      function: { ...(fields.name === undefined ? {} : { name: fields.name }), arguments: fields.arguments },
    },
  ],
})

interface WireCase {
  chunks: object[]
  blocks: ExpectedBlock[]
  /** The pieces each block arrives in, in block order. */
  pieces: string[][]
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens'
  usage: { inputTokens: number; outputTokens: number; totalTokens: number; cacheReadInputTokens?: number }
}

const cases: Record<string, WireCase> = {
  'text in pieces, then usage in a chunk without choices': {
    chunks: [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hello' }),
      chunk({ content: ', wörld 😀' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 }),
    ],
    blocks: [{ text: 'Hello, wörld 😀' }],
    pieces: [['Hello', ', wörld 😀']],
    stopReason: 'end_turn',
    usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13 },
  },
  'an Azure prompt-filter chunk with no choices first, and content filter results': {
    chunks: [
      {
        id: '',
        object: '',
        created: 0,
        model: '',
        choices: [],
        prompt_filter_results: [{ prompt_index: 0 }],
      },
      chunk({ content: '', refusal: null, role: 'assistant' }, null, { usage: null }),
      chunk({ content: 'Fine.' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }),
    ],
    blocks: [{ text: 'Fine.' }],
    pieces: [['Fine.']],
    stopReason: 'end_turn',
    usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
  },
  'a refusal streams as text': {
    chunks: [
      chunk({ role: 'assistant', content: null, refusal: '' }),
      chunk({ refusal: 'I cannot ' }),
      chunk({ refusal: 'help with that.' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 }),
    ],
    blocks: [{ text: 'I cannot help with that.' }],
    pieces: [['I cannot ', 'help with that.']],
    stopReason: 'end_turn',
    usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 },
  },
  'finish_reason length → max_tokens': {
    chunks: [
      chunk({ role: 'assistant', content: '{"' }),
      chunk({}, 'length'),
      usageChunk({ prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 }),
    ],
    blocks: [{ text: '{"' }],
    pieces: [['{"']],
    stopReason: 'max_tokens',
    usage: { inputTokens: 7, outputTokens: 1, totalTokens: 8 },
  },
  'reasoning_content, then text (DeepSeek)': {
    chunks: [
      chunk({ role: 'assistant', content: null, reasoning_content: '' }),
      chunk({ content: null, reasoning_content: 'Count the ' }),
      chunk({ content: null, reasoning_content: 'letters.' }),
      chunk({ content: 'Three.', reasoning_content: null }),
      chunk({ content: '' }, 'stop'),
      usageChunk({ prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 }),
    ],
    blocks: [{ reasoning: 'Count the letters.' }, { text: 'Three.' }],
    pieces: [['Count the ', 'letters.'], ['Three.']],
    stopReason: 'end_turn',
    usage: { inputTokens: 4, outputTokens: 9, totalTokens: 13 },
  },
  'reasoning, then a tool call, with cached tokens and a total the provider counts its own way (xAI)': {
    chunks: [
      chunk({ role: 'assistant', reasoning_content: 'Need the ' }),
      chunk({ reasoning_content: 'weather.' }),
      chunk(call(0, { id: 'call_r1', name: 'weather', arguments: '{"location":"Oslo"}' })),
      chunk({}, 'tool_calls'),
      usageChunk({
        prompt_tokens: 30,
        completion_tokens: 8,
        total_tokens: 70,
        prompt_tokens_details: { cached_tokens: 20 },
        completion_tokens_details: { reasoning_tokens: 32 },
      }),
    ],
    blocks: [
      { reasoning: 'Need the weather.' },
      { toolUse: { toolUseId: 'call_r1', name: 'weather', input: '{"location":"Oslo"}' } },
    ],
    pieces: [['Need the ', 'weather.'], ['{"location":"Oslo"}']],
    stopReason: 'tool_use',
    usage: { inputTokens: 30, outputTokens: 8, totalTokens: 70, cacheReadInputTokens: 20 },
  },
  'text, then a tool call with empty arguments': {
    chunks: [
      chunk({ role: 'assistant', content: 'PRE' }),
      chunk(call(0, { id: 'call_t1', name: 'weather', arguments: '' })),
      chunk(call(0, { arguments: '{}' })),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 }),
    ],
    blocks: [{ text: 'PRE' }, { toolUse: { toolUseId: 'call_t1', name: 'weather', input: '{}' } }],
    pieces: [['PRE'], ['{}']],
    stopReason: 'tool_use',
    usage: { inputTokens: 10, outputTokens: 3, totalTokens: 13 },
  },
  'a whole tool call in one chunk, usage in the finish chunk (Groq)': {
    chunks: [
      chunk({ role: 'assistant', content: null }),
      chunk(call(0, { id: 'tk1', name: 'weather', arguments: '{}' })),
      chunk({}, 'tool_calls', {
        x_groq: { usage: { prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 } },
        usage: { queue_time: 0.01, prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 },
      }),
    ],
    blocks: [{ toolUse: { toolUseId: 'tk1', name: 'weather', input: '{}' } }],
    pieces: [['{}']],
    stopReason: 'tool_use',
    usage: { inputTokens: 21, outputTokens: 5, totalTokens: 26 },
  },
  'tool arguments split into many pieces': {
    chunks: [
      chunk(call(0, { id: 'call_s1', name: 'extract', arguments: '' })),
      chunk(call(0, { arguments: '{"na' })),
      chunk(call(0, { arguments: 'me":"Dé' })),
      chunk(call(0, { arguments: 'sirée","n":3}' })),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 }),
    ],
    blocks: [{ toolUse: { toolUseId: 'call_s1', name: 'extract', input: '{"name":"Désirée","n":3}' } }],
    pieces: [['{"na', 'me":"Dé', 'sirée","n":3}']],
    stopReason: 'tool_use',
    usage: { inputTokens: 12, outputTokens: 9, totalTokens: 21 },
  },
  'two parallel tool calls, one after the other': {
    chunks: [
      chunk({ role: 'assistant', content: null }),
      chunk(call(0, { id: 'call_p1', name: 'weather', arguments: '' })),
      chunk(call(0, { arguments: '{"city": "Bergen"}' })),
      chunk(call(1, { id: 'call_p2', name: 'stock', arguments: '' })),
      chunk(call(1, { arguments: '{"ticker": ' })),
      chunk(call(1, { arguments: '"ACME"}' })),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 }),
    ],
    blocks: [
      { toolUse: { toolUseId: 'call_p1', name: 'weather', input: '{"city": "Bergen"}' } },
      { toolUse: { toolUseId: 'call_p2', name: 'stock', input: '{"ticker": "ACME"}' } },
    ],
    pieces: [['{"city": "Bergen"}'], ['{"ticker": ', '"ACME"}']],
    stopReason: 'tool_use',
    usage: { inputTokens: 40, outputTokens: 20, totalTokens: 60 },
  },
}

const expectedOf = (wire: WireCase) =>
  expectedEvents(
    wire.blocks,
    wire.stopReason,
    wire.usage,
    (_block, blockNumber) => wire.pieces[blockNumber]!,
    'at-end',
  )

describe.each(streamPaths)(
  'OpenAIModel on hand-written Chat Completions wire data through $path',
  ({ useClientStream }) => {
    let server: LoopbackOpenAIServer
    let model: OpenAIModel

    useLoopbackOpenAIServer((started) => {
      server = started
      model = new OpenAIModel({
        useClientStream,
        modelId: 'wire-model',
        clientArgs: { apiKey: 'test-key', baseURL: server.baseURL },
      })
    })

    async function streamAll(): Promise<ModelStreamEvent[]> {
      const events: ModelStreamEvent[] = []
      for await (const event of model.stream({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] })) {
        events.push(event)
      }
      return events
    }

    for (const [name, wire] of Object.entries(cases)) {
      it(`${name}`, async () => {
        server.reply({ sse: chatEventStream(wire.chunks) })
        expect(await streamAll()).toEqual(expectedOf(wire))
      })
    }

    it('the same streams as raw bytes with CRLF line ends, in 7-byte pieces (UTF-8 split across them)', async () => {
      for (const wire of Object.values(cases)) {
        server.reply({ sse: chatEventStream(wire.chunks).replaceAll('\n', '\r\n'), pieceSize: 7 })
        expect(await streamAll()).toEqual(expectedOf(wire))
      }
    })

    it('the same stream without the final [DONE], and with everything after [DONE] ignored', async () => {
      const wire = cases['two parallel tool calls, one after the other']!
      server.reply({ sse: chatEventStream(wire.chunks, { done: false }) })
      expect(await streamAll()).toEqual(expectedOf(wire))
      server.reply({ sse: `${chatEventStream(wire.chunks)}data: {"not":"read"\n\n` })
      expect(await streamAll()).toEqual(expectedOf(wire))
    })

    it('a whole stream in one network chunk gives the same events as one event per chunk', async () => {
      const wire = cases['reasoning_content, then text (DeepSeek)']!
      server.reply({ sse: Buffer.from(chatEventStream(wire.chunks)) })
      expect(await streamAll()).toEqual(expectedOf(wire))
    })
  },
)
