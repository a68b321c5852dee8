import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { Agent } from './agent.js'
import type { AgentContext, Tool, ToolProvider } from './agent-context.js'

const echo = (name: string): Tool =>
  tool({
    name,
    description: `echoes (${name})`,
    inputSchema: z.object({ text: z.string() }),
    callback: ({ text }) => `${name}:${text}`,
  })

/** A provider whose list the test changes between calls, counting loads and closes. */
class ListProvider implements ToolProvider {
  readonly name = 'list'
  loads = 0
  closes = 0
  tools: Tool[]
  constructor(tools: Tool[]) {
    this.tools = tools
  }
  async loadTools(signal: AbortSignal): Promise<readonly Tool[]> {
    expect(signal).toBeInstanceOf(AbortSignal)
    this.loads++
    return this.tools
  }
  async close(): Promise<void> {
    this.closes++
  }
}

const callTool = (name: string, id = 't1') => ({
  content: [{ toolUse: { toolUseId: id, name, input: { text: 'hi' } } }],
  stopReason: 'tool_use' as const,
})

describe('tool providers', () => {
  it('lists the provider tools for the model and runs them', async () => {
    const provider = new ListProvider([echo('remote_echo')])
    const model = new ScriptedModel([callTool('remote_echo'), { content: [{ text: 'done' }] }])
    const agent = new Agent({ model, tools: [echo('local_echo'), provider], callbackHandler: null })
    const result = await agent.invoke('go')
    expect(String(result)).toBe('done')
    expect(model.requests[0]!.toolSpecs!.map((spec) => spec.name)).toEqual(['local_echo', 'remote_echo'])
    const toolResult = agent.messages[2]!.content[0]!
    expect(toolResult).toMatchObject({
      toolResult: { status: 'success', content: [{ text: 'remote_echo:hi' }] },
    })
  })

  it('picks up a changed list before the next model call', async () => {
    const provider = new ListProvider([echo('first')])
    const model = new ScriptedModel([
      (request) => {
        provider.tools = [echo('second')]
        expect(request.toolSpecs!.map((spec) => spec.name)).toEqual(['first'])
        return callTool('first')
      },
      callTool('second', 't2'),
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({ model, tools: [provider], callbackHandler: null })
    await agent.invoke('go')
    expect(model.requests[1]!.toolSpecs!.map((spec) => spec.name)).toEqual(['second'])
    expect(agent.messages[4]!.content[0]).toMatchObject({ toolResult: { status: 'success' } })
  })

  it('rejects a provider tool whose name another tool has, saying what to do', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'never' }] }])
    const agent = new Agent({
      model,
      tools: [echo('same'), new ListProvider([echo('same')])],
      callbackHandler: null,
    })
    await expect(agent.invoke('go')).rejects.toThrow(/prefix or filter/)
    expect(model.requests).toHaveLength(0)
  })

  it('makes provider tools callable directly', async () => {
    const agent = new Agent({ tools: [new ListProvider([echo('remote')])], callbackHandler: null })
    const result = await agent.tool.remote!({ text: 'x' })
    expect(result).toMatchObject({ status: 'success', content: [{ text: 'remote:x' }] })
  })

  it('closes providers with the agent (also through await using) and refuses to run after', async () => {
    const provider = new ListProvider([])
    {
      await using agent = new Agent({
        model: new ScriptedModel([]),
        tools: [provider],
        callbackHandler: null,
      })
      expect(agent.isRunning).toBe(false)
    }
    expect(provider.closes).toBe(1)
    const agent = new Agent({ model: new ScriptedModel([]), tools: [provider], callbackHandler: null })
    await agent.close()
    await agent.close()
    expect(provider.closes).toBe(2)
    await expect(agent.invoke('again')).rejects.toThrow(/is closed/)
  })
})

describe('AgentContext', () => {
  it('is what tools see: name, description, live messages, state, tools and the run signal, not the class', async () => {
    const seen: { context: AgentContext; signalDuring: AbortSignal | undefined }[] = []
    const inspect = tool({
      name: 'inspect',
      description: 'looks at its agent',
      inputSchema: z.object({}),
      callback: (_, context) => {
        seen.push({ context: context.agent!, signalDuring: context.agent!.signal })
        return 'ok'
      },
    })
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 'a', name: 'inspect', input: {} } }], stopReason: 'tool_use' },
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({
      model,
      tools: [inspect],
      name: 'inspector',
      description: 'inspects things',
      state: { n: 1 },
      callbackHandler: null,
    })
    await agent.invoke('go')
    const { context, signalDuring } = seen[0]!
    expect(context).not.toBeInstanceOf(Agent)
    expect('invoke' in context).toBe(false)
    expect(context.name).toBe('inspector')
    expect(context.description).toBe('inspects things')
    expect(context.messages).toBe(agent.messages)
    expect(context.state.get('n')).toBe(1)
    expect(context.tools.names).toEqual(['inspect'])
    expect(signalDuring).toBeInstanceOf(AbortSignal)
    expect(context.signal).toBeUndefined()
  })
})
