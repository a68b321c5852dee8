import { Agent } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { GraphBuilder } from '@agent/multiagent'
import { context, trace } from '@opentelemetry/api'
import { beforeAll, describe, expect, it } from 'vitest'
import { telemetry } from './index.js'
import { installInMemoryTelemetry, named, parentOf } from './test-support/in-memory-telemetry.js'

let otel: ReturnType<typeof installInMemoryTelemetry>
beforeAll(() => {
  otel = installInMemoryTelemetry()
})

const nodeAgent = (name: string, text: string) =>
  new Agent({
    name,
    model: new ScriptedModel([{ content: [{ text }] }]),
    callbackHandler: null,
    hooks: [telemetry()],
  })

describe('a Graph of traced agents', () => {
  it('puts every node agent, parallel branches included, in the caller trace under the caller span', async () => {
    const graph = new GraphBuilder()
      .addNode(nodeAgent('science', 'light scatters'))
      .addNode(nodeAgent('history', 'people wondered'))
      .addNode(nodeAgent('writer', 'the sky is blue'))
      .addEdge('science', 'writer')
      .addEdge('history', 'writer')
      .build()
    const request = trace.getTracer('app').startSpan('handle request')
    await context.with(trace.setSpan(context.active(), request), async () => {
      for await (const _ of graph.stream('Why is the sky blue?')) {
      }
    })
    request.end()
    const spans = otel.spans()
    for (const name of ['science', 'history', 'writer']) {
      const invoke = named(spans, `invoke_agent ${name}`)
      expect(invoke.spanContext().traceId).toBe(request.spanContext().traceId)
      expect(parentOf(invoke)).toBe(request.spanContext().spanId)
      const chat = spans.find(
        (span) => span.name === 'chat scripted' && parentOf(span) === invoke.spanContext().spanId,
      )
      expect(chat).toBeDefined()
    }
  })
})
