import { type Message, ModelError, type ModelRequest, type ModelStreamEvent } from '@agent/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BedrockModel } from './bedrock-model.js'
import { BedrockLoopbackServer, type LoopbackReply } from './test-support/bedrock-loopback-server.js'
import { loopbackModel } from './test-support/recorded-fixtures.js'

const okFrames: LoopbackReply = {
  frames: [
    { event: 'messageStart', payload: { role: 'assistant' } },
    { event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'ok' } } },
    { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    { event: 'messageStop', payload: { stopReason: 'end_turn' } },
    {
      event: 'metadata',
      payload: { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } },
    },
  ],
}

async function drain(stream: AsyncIterable<ModelStreamEvent>): Promise<void> {
  for await (const _event of stream) {
    // only the request matters here
  }
}

const pngBase64 = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]).toString(
  'base64',
)
const pdfBase64 = Buffer.from('%PDF-1.4 tiny').toString('base64')
const redactedBase64 = Buffer.from([1, 2, 3, 254, 255]).toString('base64')

const conversation: Message[] = [
  {
    role: 'user',
    content: [
      { text: 'What is in this picture?' },
      { image: { format: 'png', source: { bytes: pngBase64 } } },
    ],
  },
  {
    role: 'assistant',
    content: [
      { reasoningContent: { reasoningText: { text: 'Look at it.', signature: 'sig-1' } } },
      { reasoningContent: { redactedContent: redactedBase64 } },
      { text: '' },
      { text: 'Let me check.' },
      { toolUse: { toolUseId: 'tooluse_1', name: 'lookup', input: { query: 'png' } } },
    ],
  },
  {
    role: 'user',
    content: [
      {
        toolResult: {
          toolUseId: 'tooluse_1',
          status: 'error',
          content: [
            { text: 'not found' },
            { json: { code: 404 } },
            { document: { format: 'pdf', name: 'report', source: { bytes: pdfBase64 } } },
          ],
        },
      },
    ],
  },
]

const toolSpecs = [
  {
    name: 'lookup',
    description: 'Looks things up.',
    inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
]

describe('the request body the SDK sends', () => {
  let server: BedrockLoopbackServer
  beforeAll(async () => {
    server = await BedrockLoopbackServer.start()
  })
  afterAll(async () => {
    await server.close()
  })

  async function bodyFor(
    model: BedrockModel,
    request: ModelRequest,
    reply: LoopbackReply = okFrames,
  ): Promise<any> {
    server.reply(reply)
    await drain(model.stream(request))
    return server.requests.at(-1)!.body
  }

  it('carries messages, binary data as base64, tool results with status for Claude, and toolConfig', async () => {
    const body = await bodyFor(loopbackModel(server), {
      messages: conversation,
      systemPrompt: 'Be brief.',
      toolSpecs,
      toolChoice: { auto: {} },
    })
    expect(body).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'What is in this picture?' },
            { image: { format: 'png', source: { bytes: pngBase64 } } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'Look at it.', signature: 'sig-1' } } },
            { reasoningContent: { redactedContent: redactedBase64 } },
            { text: 'Let me check.' },
            { toolUse: { toolUseId: 'tooluse_1', name: 'lookup', input: { query: 'png' } } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              toolResult: {
                toolUseId: 'tooluse_1',
                status: 'error',
                content: [
                  { text: 'not found' },
                  { json: { code: 404 } },
                  { document: { format: 'pdf', name: 'report', source: { bytes: pdfBase64 } } },
                ],
              },
            },
          ],
        },
      ],
      system: [{ text: 'Be brief.' }],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'lookup',
              description: 'Looks things up.',
              inputSchema: { json: toolSpecs[0]!.inputSchema },
            },
          },
        ],
        toolChoice: { auto: {} },
      },
    })
  })

  it('leaves tool result status out for models that reject it, and follows includeToolResultStatus', async () => {
    const nova = await bodyFor(loopbackModel(server, { modelId: 'us.amazon.nova-pro-v1:0' }), {
      messages: conversation,
    })
    expect(nova.messages[2].content[0].toolResult.status).toBeUndefined()
    const forced = await bodyFor(
      loopbackModel(server, { modelId: 'us.amazon.nova-pro-v1:0', includeToolResultStatus: true }),
      {
        messages: conversation,
      },
    )
    expect(forced.messages[2].content[0].toolResult.status).toBe('error')
    const off = await bodyFor(loopbackModel(server, { includeToolResultStatus: false }), {
      messages: conversation,
    })
    expect(off.messages[2].content[0].toolResult.status).toBeUndefined()
  })

  it('puts cache points after the system prompt, the tools and the latest message', async () => {
    const body = await bodyFor(
      loopbackModel(server, { cacheConfig: { systemPrompt: true, tools: true, messages: true } }),
      {
        messages: conversation,
        systemPrompt: [{ text: 'Rules.' }, { text: 'More rules.' }],
        toolSpecs,
      },
    )
    expect(body.system).toEqual([
      { text: 'Rules.' },
      { text: 'More rules.' },
      { cachePoint: { type: 'default' } },
    ])
    expect(body.toolConfig.tools.at(-1)).toEqual({ cachePoint: { type: 'default' } })
    expect(body.toolConfig.tools).toHaveLength(2)
    expect(body.messages.at(-1).content.at(-1)).toEqual({ cachePoint: { type: 'default' } })
    // Earlier messages are untouched, and so is the caller's conversation.
    expect(body.messages[0].content).toHaveLength(2)
    expect(conversation[2]!.content).toHaveLength(1)
  })

  it('sends the cache lifetime and keeps cache points written in the conversation', async () => {
    const body = await bodyFor(loopbackModel(server, { cacheConfig: { messages: true, ttl: '1h' } }), {
      messages: [
        { role: 'user', content: [{ text: 'Long document…' }, { cachePoint: { type: 'default' } }] },
      ],
    })
    // The latest message already ends with a cache point: no second one.
    expect(body.messages[0].content).toEqual([
      { text: 'Long document…' },
      { cachePoint: { type: 'default' } },
    ])
    const withTtl = await bodyFor(loopbackModel(server, { cacheConfig: { systemPrompt: true, ttl: '1h' } }), {
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      systemPrompt: 'System.',
    })
    expect(withTtl.system[1]).toEqual({ cachePoint: { type: 'default', ttl: '1h' } })
  })

  it('sends inference settings, extra request fields, response field paths and the guardrail', async () => {
    const options = {
      maxTokens: 512,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['\n\nHuman:'],
      additionalRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      additionalResponseFieldPaths: ['/stop_sequence'],
      guardrail: {
        id: 'gr-123',
        version: '2',
        trace: 'enabled_full' as const,
        streamProcessingMode: 'async' as const,
      },
    }
    const streamed = await bodyFor(loopbackModel(server, options), {
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    })
    expect(streamed).toMatchObject({
      inferenceConfig: { maxTokens: 512, temperature: 0.2, topP: 0.9, stopSequences: ['\n\nHuman:'] },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
      additionalModelResponseFieldPaths: ['/stop_sequence'],
      guardrailConfig: {
        guardrailIdentifier: 'gr-123',
        guardrailVersion: '2',
        trace: 'enabled_full',
        streamProcessingMode: 'async',
      },
    })
    const whole = await bodyFor(
      loopbackModel(server, { ...options, streaming: false }),
      { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] },
      {
        status: 200,
        body: {
          output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
          metrics: { latencyMs: 1 },
        },
      },
    )
    expect(server.requests.at(-1)!.path).toMatch(/\/converse$/)
    expect(whole.guardrailConfig).toEqual({
      guardrailIdentifier: 'gr-123',
      guardrailVersion: '2',
      trace: 'enabled_full',
    })
  })

  it('sends no inference, guardrail or extra fields when none are set', async () => {
    const body = await bodyFor(loopbackModel(server), {
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    })
    expect(Object.keys(body).sort()).toEqual(['messages'])
  })

  it('makes document names acceptable to Bedrock and sends text documents as text', async () => {
    const body = await bodyFor(loopbackModel(server), {
      messages: [
        {
          role: 'user',
          content: [
            { document: { format: 'pdf', name: 'Q3  report.final.pdf', source: { bytes: pdfBase64 } } },
            { document: { format: 'md', name: 'notes (draft) [v2]', source: { text: '# Notes' } } },
            { text: 'Summarise both.' },
          ],
        },
      ],
    })
    expect(body.messages[0].content.slice(0, 2)).toEqual([
      { document: { format: 'pdf', name: 'Q3 report-final-pdf', source: { bytes: pdfBase64 } } },
      { document: { format: 'md', name: 'notes (draft) [v2]', source: { text: '# Notes' } } },
    ])
  })

  it('rejects an image given by web URL before sending anything', async () => {
    const before = server.requests.length
    const model = loopbackModel(server)
    const stream = model.stream({
      messages: [
        {
          role: 'user',
          content: [{ image: { format: 'png', source: { url: 'https://example.com/a.png' } } }],
        },
      ],
    })
    await expect(drain(stream)).rejects.toSatisfy(
      (error: unknown) => ModelError.isInstance(error) && /source\.bytes/.test((error as Error).message),
    )
    expect(server.requests.length).toBe(before)
  })

  it('signs requests with SigV4 for the configured region', async () => {
    await bodyFor(loopbackModel(server, { clientConfig: { region: 'eu-west-3' } }), {
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    })
    const authorization = String(server.requests.at(-1)!.headers.authorization)
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACK\/\d{8}\/eu-west-3\/bedrock\/aws4_request/,
    )
  })
})

describe('BedrockModel built from a model id only', () => {
  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1, and tries once', async () => {
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION }
    try {
      delete process.env.AWS_REGION
      delete process.env.AWS_DEFAULT_REGION
      const fallback = new BedrockModel({ modelId: 'm' })
      expect(await fallback.client.config.region()).toBe('us-east-1')
      expect(await fallback.client.config.maxAttempts()).toBe(1)
      process.env.AWS_DEFAULT_REGION = 'ap-south-1'
      expect(await new BedrockModel({ modelId: 'm' }).client.config.region()).toBe('ap-south-1')
      process.env.AWS_REGION = 'eu-central-1'
      expect(await new BedrockModel({ modelId: 'm' }).client.config.region()).toBe('eu-central-1')
      expect(await new BedrockModel({ modelId: 'm', region: 'us-west-2' }).client.config.region()).toBe(
        'us-west-2',
      )
      const patient = new BedrockModel({ modelId: 'm', clientConfig: { maxAttempts: 4 } })
      expect(await patient.client.config.maxAttempts()).toBe(4)
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
    }
  })

  it('uses a given client as is', () => {
    const client = new BedrockModel({ modelId: 'a' }).client
    expect(new BedrockModel({ modelId: 'b', client }).client).toBe(client)
  })
})
