import { AfterToolCallEvent, Agent, tool } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { ProxyTracer, trace } from '@opentelemetry/api'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { telemetry } from './index.js'

afterEach(() => vi.restoreAllMocks())

describe('without a registered tracer provider', () => {
  it('creates no span at all, leaves tools unwrapped, and the agent works as before', async () => {
    const startSpan = vi.spyOn(ProxyTracer.prototype, 'startSpan')
    const getTracer = vi.spyOn(trace.getTracerProvider(), 'getTracer')
    const echo = tool({
      name: 'echo',
      description: 'echoes',
      inputSchema: z.object({ text: z.string() }),
      callback: ({ text }) => text,
    })
    const seenTools: unknown[] = []
    const agent = new Agent({
      model: new ScriptedModel([
        {
          content: [{ toolUse: { toolUseId: 'e1', name: 'echo', input: { text: 'hi' } } }],
          stopReason: 'tool_use',
        },
        { content: [{ text: 'hi' }] },
      ]),
      tools: [echo],
      callbackHandler: null,
      hooks: [
        telemetry(),
        {
          registerHooks: (registry) =>
            void registry.add(AfterToolCallEvent, (event) => void seenTools.push(event.tool)),
        },
      ],
    })
    expect(String(await agent.invoke('say hi'))).toBe('hi')
    expect(startSpan).not.toHaveBeenCalled()
    expect(getTracer).not.toHaveBeenCalled()
    expect(seenTools).toEqual([echo])
  })
})
