import { Agent, BackoffRetryStrategy, ModelThrottledError, tool } from '@agent/core'
import { collectStream, ScriptedModel } from '@agent/core/testing'
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { instrumentAgents, telemetry } from './index.js'
import { installInMemoryTelemetry, named, parentOf } from './test-support/in-memory-telemetry.js'

let otel: ReturnType<typeof installInMemoryTelemetry>
beforeAll(() => {
  otel = installInMemoryTelemetry()
})
afterEach(() => otel.reset())

const usage = { inputTokens: 10, outputTokens: 4, totalTokens: 14 }
const adder = tool({
  name: 'adder',
  description: 'adds two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  callback: ({ a, b }) => {
    // Work a tool does is traced under its execute_tool span.
    trace.getTracer('app').startSpan('adder.work').end()
    return a + b
  },
})
const addTurn = {
  content: [{ toolUse: { toolUseId: 'call-1', name: 'adder', input: { a: 2, b: 3 } } }],
  stopReason: 'tool_use' as const,
  usage,
}

function tracedAgent(model: ScriptedModel, extra: ConstructorParameters<typeof Agent>[0] = {}) {
  return new Agent({
    model,
    name: 'helper',
    description: 'helps',
    callbackHandler: null,
    hooks: [telemetry({ meterProvider: otel.meterProvider })],
    ...extra,
  })
}

describe('spans of a text answer', () => {
  it('invoke_agent (INTERNAL) → chat (CLIENT) with the GenAI attributes', async () => {
    const agent = tracedAgent(new ScriptedModel([{ content: [{ text: 'Hello there' }], usage }]))
    await agent.invoke('Hi')
    const spans = otel.spans()
    expect(spans.map((span) => span.name)).toEqual(['chat scripted', 'invoke_agent helper'])
    const [chat, invoke] = spans as [(typeof spans)[0], (typeof spans)[0]]
    expect(invoke.kind).toBe(SpanKind.INTERNAL)
    expect(chat.kind).toBe(SpanKind.CLIENT)
    expect(parentOf(chat)).toBe(invoke.spanContext().spanId)
    expect(invoke.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'helper',
      'gen_ai.agent.description': 'helps',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.request.model': 'scripted',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 4,
    })
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'scripted',
      'gen_ai.request.model': 'scripted',
      'gen_ai.response.model': 'scripted',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 4,
    })
    expect(chat.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('captures no content by default, and messages and prompts when asked', async () => {
    const plain = tracedAgent(new ScriptedModel([{ content: [{ text: 'secret answer' }] }]), {
      systemPrompt: 'be brief',
    })
    await plain.invoke('my secret question')
    expect(JSON.stringify(otel.spans().map((span) => span.attributes))).not.toMatch(/secret|brief/)
    otel.reset()

    const capturing = new Agent({
      model: new ScriptedModel([addTurn, { content: [{ text: 'secret answer' }] }]),
      tools: [adder],
      systemPrompt: 'be brief',
      callbackHandler: null,
      hooks: [telemetry({ captureContent: true })],
    })
    await capturing.invoke('my secret question')
    const spans = otel.spans()
    const lastChat = spans.filter((span) => span.name === 'chat scripted')[1]!
    expect(JSON.parse(lastChat.attributes['gen_ai.input.messages'] as string)[0]).toEqual({
      role: 'user',
      parts: [{ type: 'text', content: 'my secret question' }],
    })
    expect(lastChat.attributes['gen_ai.system_instructions']).toContain('be brief')
    expect(lastChat.attributes['gen_ai.output.messages']).toContain('secret answer')
    const toolSpan = named(spans, 'execute_tool adder')
    expect(JSON.parse(toolSpan.attributes['gen_ai.tool.call.arguments'] as string)).toEqual({ a: 2, b: 3 })
    expect(toolSpan.attributes['gen_ai.tool.call.result']).toBe('[{"text":"5"}]')
  })
})

describe('spans of a tool turn', () => {
  it('execute_tool under invoke_agent, and the tool own spans under execute_tool', async () => {
    const agent = tracedAgent(new ScriptedModel([addTurn, { content: [{ text: '5' }], usage }]), {
      tools: [adder],
    })
    await agent.invoke('2+3?')
    const spans = otel.spans()
    const invoke = named(spans, 'invoke_agent helper')
    const toolSpan = named(spans, 'execute_tool adder')
    expect(spans.filter((span) => span.name === 'chat scripted')).toHaveLength(2)
    expect(toolSpan.kind).toBe(SpanKind.INTERNAL)
    expect(parentOf(toolSpan)).toBe(invoke.spanContext().spanId)
    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'adder',
      'gen_ai.tool.call.id': 'call-1',
      'gen_ai.tool.description': 'adds two numbers',
    })
    expect(parentOf(named(spans, 'adder.work'))).toBe(toolSpan.spanContext().spanId)
    expect(invoke.attributes['gen_ai.usage.input_tokens']).toBe(20)
    expect(invoke.attributes['gen_ai.response.finish_reasons']).toEqual(['end_turn'])
  })

  it('a sub-agent called from a tool nests its invoke_agent under the tool span', async () => {
    const researcher = tracedAgent(new ScriptedModel([{ content: [{ text: 'found it' }] }]), {
      name: 'researcher',
    })
    const research = tool({
      name: 'research',
      description: 'asks the researcher',
      inputSchema: z.object({ question: z.string() }),
      async *callback({ question }) {
        for await (const event of researcher.stream(question)) if (event.type === 'data') yield event.data
        return 'found it'
      },
    })
    const lead = tracedAgent(
      new ScriptedModel([
        {
          content: [{ toolUse: { toolUseId: 'r1', name: 'research', input: { question: 'where?' } } }],
          stopReason: 'tool_use',
        },
        { content: [{ text: 'done' }] },
      ]),
      { name: 'lead', tools: [research] },
    )
    await lead.invoke('go')
    const spans = otel.spans()
    const toolSpan = named(spans, 'execute_tool research')
    const inner = named(spans, 'invoke_agent researcher')
    expect(parentOf(inner)).toBe(toolSpan.spanContext().spanId)
    expect(inner.spanContext().traceId).toBe(named(spans, 'invoke_agent lead').spanContext().traceId)
  })

  it('a failing tool gets an error status and error.type', async () => {
    const broken = tool({
      name: 'broken',
      description: 'fails',
      inputSchema: z.object({}),
      callback: () => {
        throw new Error('disk on fire')
      },
    })
    const agent = tracedAgent(
      new ScriptedModel([
        { content: [{ toolUse: { toolUseId: 'b1', name: 'broken', input: {} } }], stopReason: 'tool_use' },
        { content: [{ text: 'sorry' }] },
      ]),
      { tools: [broken] },
    )
    await agent.invoke('go')
    const toolSpan = named(otel.spans(), 'execute_tool broken')
    expect(toolSpan.status.code).toBe(SpanStatusCode.ERROR)
    expect(toolSpan.status.message).toMatch(/disk on fire/)
    expect(toolSpan.attributes['error.type']).toBe('tool_error')
    expect(named(otel.spans(), 'invoke_agent helper').status.code).toBe(SpanStatusCode.UNSET)
  })
})

describe('spans of failures', () => {
  it('a throttled call that is retried: one failed chat span, then a good one', async () => {
    const agent = tracedAgent(
      new ScriptedModel([{ error: new ModelThrottledError('slow down') }, { content: [{ text: 'ok' }] }]),
      { retryStrategy: new BackoffRetryStrategy({ initialDelayMs: 1, jitter: 'none' }) },
    )
    await agent.invoke('Hi')
    const chats = otel.spans().filter((span) => span.name === 'chat scripted')
    expect(chats).toHaveLength(2)
    expect(chats[0]!.status.code).toBe(SpanStatusCode.ERROR)
    expect(chats[0]!.attributes['error.type']).toBe('ModelThrottledError')
    expect(chats[1]!.status.code).toBe(SpanStatusCode.UNSET)
    expect(named(otel.spans(), 'invoke_agent helper').status.code).toBe(SpanStatusCode.UNSET)
  })

  it('an aborted run ends its open chat span and the agent span with AbortError', async () => {
    const agent = tracedAgent(
      new ScriptedModel([{ hang: true, events: [{ messageStart: { role: 'assistant' } }] }]),
    )
    const controller = new AbortController()
    const stream = agent.stream('Hi', { signal: controller.signal })
    for (let step = await stream.next(); !step.done && step.value.type !== 'model_stream'; )
      step = await stream.next()
    controller.abort()
    const { error } = await collectStream(stream)
    expect((error as Error).name).toBe('AbortError')
    const spans = otel.spans()
    for (const name of ['chat scripted', 'invoke_agent helper']) {
      expect(named(spans, name).status.code).toBe(SpanStatusCode.ERROR)
      expect(named(spans, name).attributes['error.type']).toBe('AbortError')
    }
  })

  it('structured output: its tool call is an execute_tool span and the run succeeds', async () => {
    const agent = tracedAgent(
      new ScriptedModel([
        (request) => ({
          content: [
            { toolUse: { toolUseId: 's1', name: request.toolSpecs![0]!.name, input: { city: 'Paris' } } },
          ],
          stopReason: 'tool_use',
        }),
      ]),
    )
    const result = await agent.invoke('capital of France?', {
      structuredOutput: z.object({ city: z.string() }),
    })
    expect(result.structuredOutput).toEqual({ city: 'Paris' })
    const toolSpans = otel
      .spans()
      .filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool')
    expect(toolSpans).toHaveLength(1)
    expect(toolSpans[0]!.status.code).toBe(SpanStatusCode.UNSET)
  })
})

describe('metrics', () => {
  it('records token usage by type, operation duration and time to first chunk', async () => {
    const agent = tracedAgent(new ScriptedModel([addTurn, { content: [{ text: '5' }], usage }]), {
      tools: [adder],
    })
    await agent.invoke('2+3?')
    const tokens = await otel.histogram('gen_ai.client.token.usage')
    const input = tokens.find((point) => point.attributes['gen_ai.token.type'] === 'input')!
    expect(input.sum).toBeGreaterThanOrEqual(20)
    expect(input.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'scripted',
    })
    const durations = await otel.histogram('gen_ai.client.operation.duration')
    const operations = durations.map((point) => point.attributes['gen_ai.operation.name'])
    expect(operations).toEqual(expect.arrayContaining(['chat', 'execute_tool']))
    expect((await otel.histogram('gen_ai.client.operation.time_to_first_chunk')).length).toBeGreaterThan(0)
  })
})

describe('instrumentAgents', () => {
  it('traces agents built afterwards without touching their options, until undone', async () => {
    const undo = instrumentAgents()
    const traced = new Agent({
      name: 'global',
      model: new ScriptedModel([{ content: [{ text: 'a' }] }]),
      callbackHandler: null,
    })
    undo()
    const untraced = new Agent({
      name: 'later',
      model: new ScriptedModel([{ content: [{ text: 'b' }] }]),
      callbackHandler: null,
    })
    await traced.invoke('x')
    await untraced.invoke('y')
    expect(otel.spans().map((span) => span.name)).toEqual(['chat scripted', 'invoke_agent global'])
  })
})
