import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { StructuredOutputError } from '../errors/invocation-errors.js'
import { collectStream, conversationProblems, eventTypes, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { structuredOutputToolName } from './structured-output.js'

const Person = z.object({ name: z.string(), age: z.number().int().nonnegative() })

const output = (input: unknown, toolUseId = 'so1') => ({
  content: [{ toolUse: { toolUseId, name: structuredOutputToolName, input: input as never } }],
})

describe('structured output', () => {
  it('returns the validated, typed object and streams a structured_output event', async () => {
    const model = new ScriptedModel([output({ name: 'Ada', age: 36 })])
    const agent = new Agent({ model, callbackHandler: null })
    const { events, result } = await collectStream(
      agent.stream('Ada Lovelace, 36', { structuredOutput: Person }),
    )
    expect(result?.structuredOutput).toEqual({ name: 'Ada', age: 36 })
    expect(result?.stopReason).toBe('end_turn')
    expect(eventTypes(events).slice(-2)).toEqual(['structured_output', 'result'])
    expect(events.at(-2)).toEqual({ type: 'structured_output', structured_output: { name: 'Ada', age: 36 } })
    const spec = model.requests[0]!.toolSpecs?.find((spec) => spec.name === structuredOutputToolName)
    expect(spec?.inputSchema).toMatchObject({ type: 'object', required: ['name', 'age'] })
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('is typed by the schema', async () => {
    const agent = new Agent({
      model: new ScriptedModel([output({ name: 'Ada', age: 36 })]),
      callbackHandler: null,
    })
    const result = await agent.invoke('Ada', { structuredOutput: Person })
    expectTypeOf(result.structuredOutput).toEqualTypeOf<{ name: string; age: number }>()
    expect(result.structuredOutput.name).toBe('Ada')
  })

  it('forces the output tool when the model answers in text, and lets it use other tools first', async () => {
    const lookup = tool({
      name: 'lookup',
      description: 'finds a person',
      inputSchema: z.object({ who: z.string() }),
      callback: () => ({ name: 'Grace', born: 1906, died: 1992 }),
    })
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 'l1', name: 'lookup', input: { who: 'Grace Hopper' } } }] },
      { content: [{ text: 'Grace Hopper lived to 85.' }] },
      output({ name: 'Grace Hopper', age: 85 }),
    ])
    const agent = new Agent({ model, tools: [lookup], callbackHandler: null })
    const result = await agent.invoke('Who was Grace Hopper?', { structuredOutput: Person })
    expect(result.structuredOutput).toEqual({ name: 'Grace Hopper', age: 85 })
    expect(model.requests.map((request) => request.toolChoice)).toEqual([
      undefined,
      undefined,
      { tool: { name: structuredOutputToolName } },
    ])
    expect(JSON.stringify(model.requests[2]!.messages.at(-1))).toContain(
      `calling the ${structuredOutputToolName} tool`,
    )
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('gives the model one corrective retry after invalid output', async () => {
    const model = new ScriptedModel([
      output({ name: 'Ada', age: -1 }),
      output({ name: 'Ada', age: 36 }, 'so2'),
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const result = await agent.invoke('Ada', { structuredOutput: Person })
    expect(result.structuredOutput).toEqual({ name: 'Ada', age: 36 })
    const correction = JSON.stringify(model.requests[1]!.messages.at(-1))
    expect(correction).toContain('Invalid input for tool')
    expect(correction).toContain('age')
    expect(model.requests[1]!.toolChoice).toEqual({ tool: { name: structuredOutputToolName } })
  })

  it('ends with StructuredOutputError when the model refuses twice; the conversation stays valid', async () => {
    const model = new ScriptedModel([
      { content: [{ text: 'I would rather chat.' }] },
      { content: [{ text: 'Still no.' }] },
      { content: [{ text: 'No.' }] },
    ])
    const agent = new Agent({ model, callbackHandler: null })
    const { error, events } = await collectStream(agent.stream('Ada', { structuredOutput: Person }))
    expect(StructuredOutputError.isInstance(error)).toBe(true)
    expect((error as Error).message).toMatch(/did not produce valid structured output after 2 attempts/)
    expect(model.requests.slice(1).map((request) => request.toolChoice)).toEqual([
      { tool: { name: structuredOutputToolName } },
      { tool: { name: structuredOutputToolName } },
    ])
    expect(events.some((event) => event.type === 'structured_output')).toBe(false)
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('ends with StructuredOutputError after two invalid outputs', async () => {
    const model = new ScriptedModel([output({ name: 1 }), output({ age: 'old' }, 'so2')])
    const agent = new Agent({ model, callbackHandler: null })
    await expect(agent.invoke('Ada', { structuredOutput: Person })).rejects.toSatisfy(
      StructuredOutputError.isInstance,
    )
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('ends with StructuredOutputError when a limit stops the run first', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'thinking' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    await expect(agent.invoke('Ada', { structuredOutput: Person, maxCycles: 1 })).rejects.toThrow(
      /stopped \(max_cycles\) before the model produced structured output/,
    )
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('refuses an agent that already has a tool with the output tool name', async () => {
    const clash = tool({
      name: structuredOutputToolName,
      description: '',
      inputSchema: z.object({}),
      callback: () => '',
    })
    const agent = new Agent({ model: new ScriptedModel([]), tools: [clash], callbackHandler: null })
    await expect(agent.invoke('x', { structuredOutput: Person })).rejects.toThrow(/rename that tool/)
    expect(agent.isRunning).toBe(false)
  })

  it('does not leave the output tool on the agent', async () => {
    const model = new ScriptedModel([output({ name: 'Ada', age: 36 }), { content: [{ text: 'plain' }] }])
    const agent = new Agent({ model, callbackHandler: null })
    await agent.invoke('Ada', { structuredOutput: Person })
    await agent.invoke('and now plain text')
    expect(model.requests[1]!.toolSpecs).toBeUndefined()
    expect(agent.tools.names).toEqual([])
  })
})
