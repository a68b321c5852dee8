import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { ModelStreamEvent, Usage } from '@agent/core'
import { fixturesDirectory } from '@agent/core/testing'
import OpenAI from 'openai'
import { describe, expect, it } from 'vitest'
import { OpenAIModel } from './index.js'
import { type ExpectedBlock, expectedEvents, type PiecesOf } from './test-support/expected-events.js'
import {
  chatEventStream,
  fixtureBytes,
  fixtureLines,
  type LoopbackOpenAIServer,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'
import { streamPaths } from './test-support/stream-paths.js'

const fixtures = fixturesDirectory()

interface ChatFixture {
  blocks: ExpectedBlock[]
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens'
  usage: Usage
}

/** What each recording must turn into. Texts and arguments are written out so that a dropped piece fails. */
const chatFixtures: Record<string, ChatFixture> = {
  'azure-text-content-filter-with-usage.gpt-5-nano.jsonl': {
    blocks: [{ text: 'Capital of Denmark.' }],
    stopReason: 'end_turn',
    usage: { inputTokens: 15, outputTokens: 78, totalTokens: 93 },
  },
  'finish-length-max-tokens.gpt-4o.jsonl': {
    blocks: [{ text: '{"' }],
    stopReason: 'max_tokens',
    usage: { inputTokens: 79, outputTokens: 1, totalTokens: 80 },
  },
  'reasoning-content-then-text.deepseek-reasoner.jsonl': {
    blocks: [
      {
        reasoning: expect.stringMatching(
          /^We need to count the number of the letter "r" in the word "strawberry"\./,
        ),
      },
      { text: 'The word "strawberry" contains three "r"s.' },
    ],
    stopReason: 'end_turn',
    usage: { inputTokens: 18, outputTokens: 219, totalTokens: 237 },
  },
  'reasoning-content-then-tool-call-with-usage.grok-3-mini.jsonl': {
    blocks: [
      { reasoning: 'First, the user is' },
      { toolUse: { toolUseId: 'call_55117580', name: 'weather', input: '{"location":"San Francisco"}' } },
    ],
    stopReason: 'tool_use',
    // xAI counts reasoning tokens in the total only; the provider's total is kept as sent.
    usage: { inputTokens: 291, outputTokens: 26, totalTokens: 513, cacheReadInputTokens: 290 },
  },
  'reasoning-content-then-tool-call.deepseek-reasoner.jsonl': {
    blocks: [
      { reasoning: expect.stringMatching(/^The user is asking for the weather in San Francisco\./) },
      {
        toolUse: {
          toolUseId: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF',
          name: 'weather',
          input: '{"location": "San Francisco"}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 339, outputTokens: 83, totalTokens: 422, cacheReadInputTokens: 320 },
  },
  'reasoning-content-with-usage.deepseek-v4-pro.jsonl': {
    blocks: [
      { reasoning: expect.stringMatching(/^We are asked: "What is 17 \* 23\?"/) },
      { text: 'The product of 17 and 23 is 391.' },
    ],
    stopReason: 'end_turn',
    usage: { inputTokens: 17, outputTokens: 47, totalTokens: 64 },
  },
  'refusal.gpt-4o.jsonl': {
    blocks: [{ text: "I'm sorry, I can't assist with that request." }],
    stopReason: 'end_turn',
    usage: { inputTokens: 79, outputTokens: 11, totalTokens: 90 },
  },
  'text-then-tool-call-with-usage.gpt-4o.jsonl': {
    blocks: [
      { text: 'PRE_TOOL' },
      { toolUse: { toolUseId: 'call_NZa7xqfefoaMI2YYHowVXVlU', name: 'weather', input: '{}' } },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 58, outputTokens: 12, totalTokens: 70 },
  },
  'text-with-usage.gpt-4.1-nano.jsonl': {
    blocks: [
      { text: expect.stringMatching(/^\*\*Holiday Name:\*\* Harmony Day\n\n\*\*Date:\*\*[\s\S]{1600,}$/) },
    ],
    stopReason: 'end_turn',
    usage: { inputTokens: 16, outputTokens: 300, totalTokens: 316 },
  },
  'tool-call-groq-usage-in-finish-chunk.llama-3.3-70b.jsonl': {
    blocks: [{ toolUse: { toolUseId: 'tk85n1k4m', name: 'weather', input: '{}' } }],
    stopReason: 'tool_use',
    usage: { inputTokens: 210, outputTokens: 15, totalTokens: 225 },
  },
  'tool-call-single.gpt-4o.jsonl': {
    blocks: [
      {
        toolUse: {
          toolUseId: 'call_c91SqDXlYFuETYv8mUHzz6pp',
          name: 'GetWeatherArgs',
          input: '{"city":"Edinburgh","country":"UK","units":"c"}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 76, outputTokens: 24, totalTokens: 100 },
  },
  'tool-call-split-args-with-usage.qwen3-max.jsonl': {
    blocks: [
      {
        toolUse: {
          toolUseId: 'call_eee11723464a4b9eb8cee71d',
          name: 'weather',
          input: '{"location": "San Francisco"}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 295, outputTokens: 22, totalTokens: 317 },
  },
  'tool-call-streamed.gpt-3.5-turbo.jsonl': {
    blocks: [
      {
        toolUse: {
          toolUseId: 'call_FJStsEjxdODw9tBmQRRkm6vY',
          name: 'extract_student_info',
          input:
            '{"name":"David Nguyen","major":"computer science","school":"Stanford University","grades":3.8,"clubs":["Chess Club","South Asian Student Association"]}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 166, outputTokens: 43, totalTokens: 209 },
  },
  'tool-calls-parallel.gpt-4o.jsonl': {
    blocks: [
      {
        toolUse: {
          toolUseId: 'call_JMW1whyEaYG438VE1OIflxA2',
          name: 'GetWeatherArgs',
          input: '{"city": "Edinburgh", "country": "GB", "units": "c"}',
        },
      },
      {
        toolUse: {
          toolUseId: 'call_DNYTawLBoN8fj3KN6qU9N1Ou',
          name: 'get_stock_price',
          input: '{"ticker": "AAPL", "exchange": "NASDAQ"}',
        },
      },
    ],
    stopReason: 'tool_use',
    usage: { inputTokens: 149, outputTokens: 60, totalTokens: 209 },
  },
}

interface RecordedDelta {
  content?: string | null
  refusal?: string | null
  reasoning_content?: string | null
  tool_calls?: { index: number; function?: { arguments?: string | null } }[]
}

/** The non-empty pieces of each kind, read straight from the recording. */
function recordedPieces(lines: string[]): PiecesOf {
  const deltas = lines.flatMap((line) => {
    const chunk = JSON.parse(line) as { choices?: { delta?: RecordedDelta }[] }
    return (chunk.choices ?? []).flatMap((choice) => (choice.delta ? [choice.delta] : []))
  })
  let toolBlocksSeen = 0
  return (block) => {
    if ('text' in block)
      return deltas.flatMap((delta) => [delta.content || delta.refusal || ''].filter(Boolean))
    if ('reasoning' in block)
      return deltas.flatMap((delta) => (delta.reasoning_content ? [delta.reasoning_content] : []))
    const toolIndex = toolBlocksSeen++
    return deltas.flatMap((delta) =>
      (delta.tool_calls ?? []).flatMap((call) =>
        call.index === toolIndex && call.function?.arguments ? [call.function.arguments] : [],
      ),
    )
  }
}

async function streamAll(model: OpenAIModel, signal?: AbortSignal): Promise<ModelStreamEvent[]> {
  const events: ModelStreamEvent[] = []
  for await (const event of model.stream({
    messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    signal,
  })) {
    events.push(event)
  }
  return events
}

describe.skipIf(fixtures === undefined).each(streamPaths)(
  'OpenAIModel replays recorded Chat Completions streams through $path',
  ({ useClientStream }) => {
    const directory = join(fixtures ?? '', 'openai-chat')
    let server: LoopbackOpenAIServer
    let model: OpenAIModel

    useLoopbackOpenAIServer((started) => {
      server = started
      model = new OpenAIModel({
        useClientStream,
        modelId: 'gpt-4o',
        clientArgs: { apiKey: 'test-key', baseURL: server.baseURL },
      })
    })

    it('has an expectation for every recording in the folder', () => {
      const recorded = readdirSync(directory).filter((name) => name.endsWith('.jsonl'))
      expect(recorded.sort()).toEqual(Object.keys(chatFixtures).sort())
    })

    for (const [file, expected] of Object.entries(chatFixtures)) {
      it(`streams ${file} as the expected events`, async () => {
        const lines = fixtureLines(directory, file)
        server.reply({ sse: chatEventStream(lines) })
        const events = await streamAll(model)
        expect(events).toEqual(
          expectedEvents(
            expected.blocks,
            expected.stopReason,
            expected.usage,
            recordedPieces(lines),
            'at-end',
          ),
        )
        expect(JSON.parse(JSON.stringify(events))).toEqual(events)
      })
    }

    for (const file of readdirSyncSafe(directory).filter((name) => name.endsWith('.sse'))) {
      it(`replays the raw bytes of ${file} (split into 7-byte pieces) as the same events`, async () => {
        const jsonl = file.replace(/\.sse$/, '.jsonl')
        const expected = chatFixtures[jsonl]!
        server.reply({ sse: fixtureBytes(directory, file), pieceSize: 7 })
        const events = await streamAll(model)
        expect(events).toEqual(
          expectedEvents(
            expected.blocks,
            expected.stopReason,
            expected.usage,
            recordedPieces(fixtureLines(directory, jsonl)),
            'at-end',
          ),
        )
      })
    }

    it('streams the same recording when the server omits the final [DONE]', async () => {
      const lines = fixtureLines(directory, 'tool-call-split-args-with-usage.qwen3-max.jsonl')
      server.reply({ sse: chatEventStream(lines, { done: false }) })
      const expected = chatFixtures['tool-call-split-args-with-usage.qwen3-max.jsonl']!
      expect(await streamAll(model)).toEqual(
        expectedEvents(expected.blocks, expected.stopReason, expected.usage, recordedPieces(lines), 'at-end'),
      )
    })

    it('forwards each tool-argument piece before the server has sent the next one', async () => {
      // The server holds the stream open after the first argument piece: the piece must reach us anyway.
      const lines = fixtureLines(directory, 'tool-call-single.gpt-4o.jsonl').slice(0, 2)
      server.reply({ sseThenHang: chatEventStream(lines, { done: false }) })
      const controller = new AbortController()
      const seen: ModelStreamEvent[] = []
      const run = (async () => {
        for await (const event of model.stream({
          messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
          signal: controller.signal,
        })) {
          seen.push(event)
          if ('contentBlockDelta' in event) controller.abort()
        }
      })()
      await expect(run).rejects.toMatchObject({ name: 'AbortError' })
      expect(seen).toEqual([
        { messageStart: { role: 'assistant' } },
        {
          contentBlockStart: {
            contentBlockIndex: 0,
            start: { toolUse: { toolUseId: 'call_c91SqDXlYFuETYv8mUHzz6pp', name: 'GetWeatherArgs' } },
          },
        },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"' } } } },
      ])
    })

    it('sends a streaming request with usage included and the chosen model', async () => {
      server.reply({ sse: chatEventStream(fixtureLines(directory, 'refusal.gpt-4o.jsonl')) })
      await streamAll(model)
      const request = server.requests.at(-1)!
      expect(request.method).toBe('POST')
      expect(request.path).toBe('/v1/chat/completions')
      expect(request.body).toMatchObject({
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_usage: true },
      })
    })

    it('uses a client the user passes, as given', async () => {
      const client = new OpenAI({ apiKey: 'user-key', baseURL: server.baseURL, maxRetries: 0 })
      const userModel = new OpenAIModel({ useClientStream, modelId: 'gpt-4o', client })
      server.reply({ sse: chatEventStream(fixtureLines(directory, 'refusal.gpt-4o.jsonl')) })
      const events = await streamAll(userModel)
      expect(events.at(-2)).toEqual({ messageStop: { stopReason: 'end_turn' } })
      expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer user-key')
    })
  },
)

function readdirSyncSafe(directory: string): string[] {
  try {
    return readdirSync(directory)
  } catch {
    return []
  }
}
