import { describe, expect, it, vi } from 'vitest'
import type { AgentEvent } from '../events/agent-events.js'
import { collectStream, conversationProblems, ScriptedModel } from '../testing/index.js'
import { Agent } from './agent.js'
import { type AgentToolStreamData, agentAsTool } from './agent-as-tool.js'

const ask = (name: string, input: string, id = 'call-1') => ({
  content: [{ toolUse: { toolUseId: id, name, input: { input } } }],
  stopReason: 'tool_use' as const,
})

function subAgentEvents(events: AgentEvent[]): AgentToolStreamData[] {
  return events.flatMap((event) =>
    event.type === 'tool_stream' ? [event.tool_stream_event.data as unknown as AgentToolStreamData] : [],
  )
}

describe('agentAsTool', () => {
  it('streams the sub-agent events as tool_stream events and answers with its final text', async () => {
    const researcher = new Agent({
      name: 'researcher',
      description: 'Finds facts.',
      model: new ScriptedModel([{ content: [{ text: 'Paris is the capital.' }] }]),
      callbackHandler: null,
    })
    const parentModel = new ScriptedModel([
      ask('researcher', 'capital of France?'),
      { content: [{ text: 'It is Paris.' }] },
    ])
    const parent = new Agent({ model: parentModel, tools: [researcher.asTool()], callbackHandler: null })
    const { events, result } = await collectStream(parent.stream('Where?'))
    expect(String(result)).toBe('It is Paris.')
    expect(parentModel.requests[0]!.toolSpecs![0]).toMatchObject({
      name: 'researcher',
      description: 'Finds facts.',
      inputSchema: { required: ['input'] },
    })
    const nested = subAgentEvents(events)
    expect(nested.every((data) => data.agent === 'researcher')).toBe(true)
    expect(nested[0]!.event.type).toBe('init_event_loop')
    expect(nested.at(-1)!.event.type).toBe('result')
    const text = nested.flatMap((data) => (data.event.type === 'data' ? [data.event.data] : [])).join('')
    expect(text).toBe('Paris is the capital.')
    // The nested events come before the tool's result, which carries the sub-agent's final text.
    const resultIndex = events.findIndex((event) => event.type === 'tool_result')
    expect(events.findLastIndex((event) => event.type === 'tool_stream')).toBeLessThan(resultIndex)
    expect(parent.messages[2]!.content[0]).toMatchObject({
      toolResult: { status: 'success', content: [{ text: 'Paris is the capital.' }] },
    })
    expect(JSON.parse(JSON.stringify(events))).toEqual(events)
  })

  it('starts a fresh conversation per call unless preserveContext is set', async () => {
    const make = () =>
      new Agent({
        name: 'helper',
        model: new ScriptedModel([{ content: [{ text: 'one' }] }, { content: [{ text: 'two' }] }]),
        callbackHandler: null,
      })
    const fresh = make()
    const freshTool = agentAsTool(fresh)
    const kept = make()
    const keptTool = agentAsTool(kept, { name: 'kept_helper', preserveContext: true })
    for (const [agent, helperTool] of [
      [fresh, freshTool],
      [kept, keptTool],
    ] as const) {
      const parent = new Agent({
        model: new ScriptedModel([
          ask(helperTool.name, 'first'),
          { content: [{ text: 'a' }] },
          ask(helperTool.name, 'second'),
          { content: [{ text: 'b' }] },
        ]),
        tools: [helperTool],
        callbackHandler: null,
      })
      await parent.invoke('go')
      await parent.invoke('again')
      expect(agent.messages.length).toBe(agent === fresh ? 2 : 4)
    }
  })

  it('runs parallel calls of one agent-tool one after another', async () => {
    const helper = new Agent({
      name: 'helper',
      model: new ScriptedModel([{ content: [{ text: 'x' }] }, { content: [{ text: 'y' }] }], { delayMs: 1 }),
      callbackHandler: null,
    })
    const parent = new Agent({
      model: new ScriptedModel([
        {
          content: [
            { toolUse: { toolUseId: 'a', name: 'helper', input: { input: '1' } } },
            { toolUse: { toolUseId: 'b', name: 'helper', input: { input: '2' } } },
          ],
        },
        { content: [{ text: 'done' }] },
      ]),
      tools: [helper.asTool()],
      callbackHandler: null,
    })
    await parent.invoke('go')
    const results = parent.messages[2]!.content.map((block) =>
      'toolResult' in block ? block.toolResult : undefined,
    )
    expect(results.map((item) => item?.status)).toEqual(['success', 'success'])
    expect(results.map((item) => item?.content)).toEqual([[{ text: 'x' }], [{ text: 'y' }]])
  })

  it("stops the sub-agent's model request when the parent is aborted", async () => {
    const subModel = new ScriptedModel([{ hang: true, events: [{ messageStart: { role: 'assistant' } }] }])
    const helper = new Agent({ name: 'helper', model: subModel, callbackHandler: null })
    const parent = new Agent({
      model: new ScriptedModel([ask('helper', 'wait')]),
      tools: [helper.asTool()],
      callbackHandler: null,
    })
    const controller = new AbortController()
    const outcome = collectStream(parent.stream('go', { signal: controller.signal }))
    // Abort once the sub-agent's model request is open.
    while (subModel.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    controller.abort()
    const { error } = await outcome
    expect((error as Error).name).toBe('AbortError')
    expect(subModel.requests[0]!.signal!.aborted).toBe(true)
    // The sub-agent's run unwinds right after the parent's.
    await vi.waitFor(() => expect(helper.isRunning).toBe(false), { timeout: 2000 })
    expect(conversationProblems(parent.messages)).toEqual([])
  })

  it("answers with an error result when the sub-agent fails, and the parent's loop goes on", async () => {
    const helper = new Agent({
      name: 'helper',
      model: new ScriptedModel([{ error: new Error('provider down') }]),
      retryStrategy: null,
      callbackHandler: null,
    })
    const parent = new Agent({
      model: new ScriptedModel([ask('helper', 'q'), { content: [{ text: 'sorry' }] }]),
      tools: [helper.asTool()],
      callbackHandler: null,
    })
    const result = await parent.invoke('go')
    expect(String(result)).toBe('sorry')
    expect(parent.messages[2]!.content[0]).toMatchObject({ toolResult: { status: 'error' } })
  })
})
