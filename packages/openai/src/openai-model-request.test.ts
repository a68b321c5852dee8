import { type Message, ModelError, type ModelRequest } from '@agent/core'
import { describe, expect, it } from 'vitest'
import { OpenAIModel, type OpenAIModelOptions } from './index.js'
import {
  chatEventStream,
  type LoopbackOpenAIServer,
  useLoopbackOpenAIServer,
} from './test-support/loopback-openai-server.js'

const okStream = chatEventStream([
  { choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] },
  { choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
])

const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64')
const pdf = Buffer.from('%PDF-1.4 tiny').toString('base64')

const history: Message[] = [
  {
    role: 'user',
    content: [
      { text: 'Look at these.' },
      { image: { format: 'png', source: { bytes: png } } },
      { image: { format: 'jpeg', source: { url: 'https://example.com/cat.jpg' } } },
      { document: { format: 'pdf', name: 'report', source: { bytes: pdf } } },
      {
        document: {
          format: 'md',
          name: 'notes.md',
          source: { bytes: Buffer.from('# Notes').toString('base64') },
        },
      },
      { cachePoint: { type: 'default' } },
    ],
  },
  {
    role: 'assistant',
    content: [
      { reasoningContent: { reasoningText: { text: 'I should check the numbers.' } } },
      { text: 'Checking.' },
      { toolUse: { toolUseId: 'call_1', name: 'calculator', input: { expression: '2+2' } } },
      { toolUse: { toolUseId: 'call_2', name: 'camera', input: {} } },
      { toolUse: { toolUseId: 'call_3', name: 'calculator', input: { expression: '1/0' } } },
    ],
  },
  {
    role: 'user',
    content: [
      { toolResult: { toolUseId: 'call_1', status: 'success', content: [{ json: { result: 4 } }] } },
      {
        toolResult: {
          toolUseId: 'call_2',
          status: 'success',
          content: [{ text: 'Here is the photo.' }, { image: { format: 'webp', source: { bytes: png } } }],
        },
      },
      { toolResult: { toolUseId: 'call_3', status: 'error', content: [{ text: 'division by zero' }] } },
      { text: 'And now?' },
    ],
  },
]

describe('OpenAIModel request body, as the server receives it', () => {
  let server: LoopbackOpenAIServer

  useLoopbackOpenAIServer((started) => {
    server = started
  })

  async function send(request: Omit<ModelRequest, 'signal'>, options: OpenAIModelOptions = {}) {
    const model = new OpenAIModel({
      modelId: 'local-model',
      clientArgs: { apiKey: 'k', baseURL: server.baseURL },
      ...options,
    })
    server.reply({ sse: okStream })
    for await (const _event of model.stream(request)) {
      // drain
    }
    return server.requests.at(-1)!.body!
  }

  it('sends system prompt, images, documents, assistant tool calls and tool results in Chat Completions shape', async () => {
    const body = await send({
      systemPrompt: [{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }, { text: 'Use tools.' }],
      messages: history,
    })
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.\nUse tools.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look at these.' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { filename: 'report.pdf', file_data: `data:application/pdf;base64,${pdf}` } },
          { type: 'text', text: 'Document "notes.md":\n# Notes' },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"2+2"}' },
          },
          { id: 'call_2', type: 'function', function: { name: 'camera', arguments: '{}' } },
          {
            id: 'call_3',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"1/0"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"result":4}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Here is the photo.\n[image attached below]' },
      { role: 'tool', tool_call_id: 'call_3', content: 'Error: division by zero' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'And now?' },
          { type: 'image_url', image_url: { url: `data:image/webp;base64,${png}` } },
        ],
      },
    ])
  })

  it('sends reasoning back as reasoning_content only when asked', async () => {
    const plain = await send({ messages: history })
    expect((plain.messages as Record<string, unknown>[])[1]).not.toHaveProperty('reasoning_content')
    const withReasoning = await send({ messages: history }, { sendReasoningContent: true })
    expect((withReasoning.messages as Record<string, unknown>[])[1]).toMatchObject({
      role: 'assistant',
      reasoning_content: 'I should check the numbers.',
    })
  })

  it('sends tool specs and maps each tool choice', async () => {
    const toolSpecs = [
      {
        name: 'calculator',
        description: 'Evaluates arithmetic',
        inputSchema: {
          type: 'object',
          properties: { expression: { type: 'string' } },
          required: ['expression'],
        },
      },
    ]
    const messages: Message[] = [{ role: 'user', content: [{ text: '2+2?' }] }]
    const auto = await send({ messages, toolSpecs, toolChoice: { auto: {} } })
    expect(auto.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'calculator',
          description: 'Evaluates arithmetic',
          parameters: {
            type: 'object',
            properties: { expression: { type: 'string' } },
            required: ['expression'],
          },
        },
      },
    ])
    expect(auto.tool_choice).toBe('auto')
    expect((await send({ messages, toolSpecs, toolChoice: { any: {} } })).tool_choice).toBe('required')
    expect(
      (await send({ messages, toolSpecs, toolChoice: { tool: { name: 'calculator' } } })).tool_choice,
    ).toEqual({
      type: 'function',
      function: { name: 'calculator' },
    })
    const noTools = await send({ messages, toolChoice: { any: {} } })
    expect(noTools).not.toHaveProperty('tools')
    expect(noTools).not.toHaveProperty('tool_choice')
    expect(noTools.messages).toEqual([{ role: 'user', content: '2+2?' }])
  })

  it('passes params through but keeps streaming with usage on', async () => {
    const body = await send(
      { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
      {
        params: {
          temperature: 0.2,
          max_completion_tokens: 64,
          stream: false,
          stream_options: { include_usage: false, include_obfuscation: false },
          model: 'ignored',
        },
      },
    )
    expect(body).toMatchObject({
      model: 'local-model',
      temperature: 0.2,
      max_completion_tokens: 64,
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
    })
  })

  it('refuses a Word document with a ModelError that says what to do, before any request', async () => {
    const before = server.requests.length
    const model = new OpenAIModel({ modelId: 'm', clientArgs: { apiKey: 'k', baseURL: server.baseURL } })
    const stream = model.stream({
      messages: [
        { role: 'user', content: [{ document: { format: 'docx', name: 'cv', source: { bytes: png } } }] },
      ],
    })
    const error = await stream.next().then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(ModelError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/accept PDF and text documents only/)
    expect(server.requests.length).toBe(before)
  })

  it('converts each message once across requests, and again only when the conversation replaces it', async () => {
    const model = new OpenAIModel({
      modelId: 'local-model',
      clientArgs: { apiKey: 'k', baseURL: server.baseURL },
    })
    // Counts how often the conversion reads a block: checking that a message is unchanged compares blocks by
    // identity only, so reads happen only when a message is converted.
    let reads = 0
    const counted = history.map((message) => ({
      ...message,
      content: message.content.map(
        (block) =>
          new Proxy(block, {
            get(target, key, receiver) {
              reads++
              return Reflect.get(target, key, receiver)
            },
          }),
      ),
    }))
    const bodies = []
    let readsOfOneConversion = 0
    for (let cycle = 0; cycle < 3; cycle++) {
      server.reply({ sse: okStream })
      for await (const _event of model.stream({ messages: counted })) {
        // drain
      }
      bodies.push(server.requests.at(-1)!.body!)
      if (cycle === 0) readsOfOneConversion = reads
    }
    expect(readsOfOneConversion).toBeGreaterThan(0)
    expect(reads).toBe(readsOfOneConversion)
    expect(bodies[1]).toEqual(bodies[0])
    expect(bodies[2]).toEqual(bodies[0])

    const shortened: Message = { role: 'user', content: [{ text: 'Replaced.' }] }
    server.reply({ sse: okStream })
    for await (const _event of model.stream({ messages: [...counted.slice(0, 2), shortened] })) {
      // drain
    }
    const messages = server.requests.at(-1)!.body!.messages as { role: string; content: unknown }[]
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Replaced.' })
    expect(reads).toBe(readsOfOneConversion)
  })
})
