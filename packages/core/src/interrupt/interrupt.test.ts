import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import type { ToolContext } from '../agent/agent-context.js'
import { BeforeToolCallEvent } from '../hooks/hook-events.js'
import { FileSessionManager, type SessionFile } from '../session/file-session-manager.js'
import { assertBuilt, runNode, writeScript } from '../session/test-support/child-process.js'
import { collectStream, conversationProblems, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import type { ContentBlock, Message, ToolResult } from '../types/messages.js'
import { InterruptError, interruptId } from './interrupt.js'

const toolUse = (toolUseId: string, name: string, input: object = {}): ContentBlock => ({
  toolUse: { toolUseId, name, input: input as never },
})

/** The tool results the model was sent in its last request. */
const resultsSent = (model: ScriptedModel): ToolResult[] =>
  model.requests
    .at(-1)!
    .messages.at(-1)!
    .content.flatMap((block) => ('toolResult' in block ? [block.toolResult] : []))

const textOf = (result: ToolResult) =>
  result.content.map((part) => ('text' in part ? part.text : '')).join('')

function counter() {
  const calls: string[] = []
  const make = (name: string, options: { needsApproval?: boolean; ask?: string } = {}) =>
    tool({
      name,
      description: name,
      inputSchema: z.object({ path: z.string() }),
      needsApproval: options.needsApproval,
      callback: ({ path }, context: ToolContext) => {
        const answer = options.ask === undefined ? undefined : context.interrupt(options.ask, { path })
        calls.push(name)
        return `${name} ${path}${answer === undefined ? '' : ` (${JSON.stringify(answer)})`}`
      },
    })
  return { calls, make }
}

describe('interrupts', () => {
  it('a BeforeToolCall hook interrupts; the resumed hook gets the response and the tool runs', async () => {
    const { calls, make } = counter()
    const model = new ScriptedModel([
      { content: [toolUse('t1', 'remove', { path: 'a.txt' })] },
      { content: [{ text: 'removed' }] },
    ])
    const agent = new Agent({ model, tools: [make('remove')], callbackHandler: null })
    const answers: unknown[] = []
    agent.hooks.add(BeforeToolCallEvent, (event) => {
      const answer = event.interrupt<{ ok: boolean }>('confirm', { tool: event.toolUse.name })
      answers.push(answer)
      if (!answer.ok) event.cancel = 'the person said no'
    })

    const first = await collectStream(agent.stream('remove a.txt'))
    const id = interruptId('t1', 'confirm')
    expect(first.result!.stopReason).toBe('interrupt')
    expect(first.result!.interrupts).toEqual([{ id, name: 'confirm', reason: { tool: 'remove' } }])
    expect(first.events.filter((event) => event.type === 'interrupt')).toEqual([
      { type: 'interrupt', interrupt: first.result!.interrupts![0] },
    ])
    expect(JSON.parse(JSON.stringify(first.result!.interrupts))).toEqual(first.result!.interrupts)
    expect(calls).toEqual([])
    expect(agent.messages.at(-1)!.role).toBe('assistant')
    expect(agent.interrupts).toEqual(first.result!.interrupts)

    const second = await agent.invoke([{ interruptResponse: { interruptId: id, response: { ok: true } } }])
    expect(second.stopReason).toBe('end_turn')
    expect(answers).toEqual([{ ok: true }])
    expect(calls).toEqual(['remove'])
    expect(resultsSent(model).map(textOf)).toEqual(['remove a.txt'])
    expect(conversationProblems(agent.messages)).toEqual([])
    expect(agent.interrupts).toEqual([])
  })

  it('several interrupts in one turn: finished tools keep their results, only the interrupted ones run again', async () => {
    const { calls, make } = counter()
    const model = new ScriptedModel([
      {
        content: [
          toolUse('t1', 'list', { path: '.' }),
          toolUse('t2', 'remove', { path: 'a' }),
          toolUse('t3', 'move', { path: 'b' }),
        ],
      },
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({
      model,
      tools: [make('list'), make('remove', { ask: 'sure' }), make('move', { ask: 'where' })],
      callbackHandler: null,
    })
    const first = await agent.invoke('tidy up')
    expect(first.stopReason).toBe('interrupt')
    expect(first.interrupts!.map((interrupt) => interrupt.name).sort()).toEqual(['sure', 'where'])
    expect(calls).toEqual(['list'])

    await agent.invoke([
      { interruptResponse: { interruptId: interruptId('t2', 'sure'), response: 'yes' } },
      { interruptResponse: { interruptId: interruptId('t3', 'where'), response: 'archive/' } },
    ])
    expect(calls.sort()).toEqual(['list', 'move', 'remove'])
    expect(resultsSent(model).map(textOf)).toEqual(['list .', 'remove a ("yes")', 'move b ("archive/")'])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('an interrupt without a response asks again, under the same id', async () => {
    const { make } = counter()
    const model = new ScriptedModel([
      { content: [toolUse('t1', 'remove', { path: 'a' }), toolUse('t2', 'move', { path: 'b' })] },
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({
      model,
      tools: [make('remove', { ask: 'sure' }), make('move', { ask: 'sure' })],
      callbackHandler: null,
    })
    await agent.invoke('go')
    const again = await agent.invoke([
      { interruptResponse: { interruptId: interruptId('t1', 'sure'), response: 1 } },
    ])
    expect(again.stopReason).toBe('interrupt')
    expect(again.interrupts).toEqual([{ id: interruptId('t2', 'sure'), name: 'sure', reason: { path: 'b' } }])
    await agent.invoke([{ interruptResponse: { interruptId: interruptId('t2', 'sure'), response: 2 } }])
    expect(resultsSent(model).map(textOf)).toEqual(['remove a (1)', 'move b (2)'])
  })

  it('needsApproval: an approved call runs, a denied one is an error result with the reason', async () => {
    const { calls, make } = counter()
    const model = new ScriptedModel([
      { content: [toolUse('t1', 'remove', { path: 'a' }), toolUse('t2', 'remove', { path: 'b' })] },
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({
      model,
      tools: [make('remove', { needsApproval: true })],
      callbackHandler: null,
    })
    const first = await agent.invoke('remove both')
    expect(first.interrupts).toEqual([
      {
        id: interruptId('t1', 'approval'),
        name: 'approval',
        reason: { tool: 'remove', input: { path: 'a' } },
      },
      {
        id: interruptId('t2', 'approval'),
        name: 'approval',
        reason: { tool: 'remove', input: { path: 'b' } },
      },
    ])
    await agent.invoke([
      { interruptResponse: { interruptId: interruptId('t1', 'approval'), response: { approved: true } } },
      {
        interruptResponse: {
          interruptId: interruptId('t2', 'approval'),
          response: { approved: false, reason: 'b is still needed' },
        },
      },
    ])
    expect(calls).toEqual(['remove'])
    const [approved, denied] = resultsSent(model)
    expect(approved).toMatchObject({ status: 'success', content: [{ text: 'remove a' }] })
    expect(denied!.status).toBe('error')
    expect(textOf(denied!)).toContain('b is still needed')
  })

  it('needsApproval as a function asks only when it says so', async () => {
    const calls: string[] = []
    const guarded = tool({
      ...{ name: 'remove', description: 'remove', inputSchema: z.object({ path: z.string() }) },
      needsApproval: ({ path }) => path.startsWith('/'),
      callback: ({ path }) => {
        calls.push(path)
        return 'ok'
      },
    })
    const model = new ScriptedModel([
      { content: [toolUse('t1', 'remove', { path: 'tmp' }), toolUse('t2', 'remove', { path: '/etc' })] },
    ])
    const agent = new Agent({ model, tools: [guarded], callbackHandler: null })
    const result = await agent.invoke('go')
    expect(result.interrupts!.map((interrupt) => interrupt.id)).toEqual([interruptId('t2', 'approval')])
    expect(calls).toEqual(['tmp'])
  })

  it('a wrong or missing id is an InterruptError and leaves the interrupt pending', async () => {
    const { make } = counter()
    const model = new ScriptedModel([
      { content: [toolUse('t1', 'remove', { path: 'a' })] },
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({
      model,
      tools: [make('remove', { needsApproval: true })],
      callbackHandler: null,
    })
    await expect(agent.invoke([{ interruptResponse: { interruptId: 'x', response: true } }])).rejects.toThrow(
      /no pending interrupt/,
    )
    await agent.invoke('remove a')
    const before = structuredClone(agent.messages)
    const wrong = agent.invoke([{ interruptResponse: { interruptId: 'nope', response: true } }])
    await expect(wrong).rejects.toSatisfy(InterruptError.isInstance)
    await expect(wrong).rejects.toThrow(/Unknown interrupt id "nope"/)
    await expect(agent.invoke([{ interruptResponse: { response: true } } as never])).rejects.toThrow(
      /needs its interruptId/,
    )
    await expect(
      agent.invoke([
        { interruptResponse: { interruptId: interruptId('t1', 'approval'), response: true } },
        { text: 'hi' },
      ] as never),
    ).rejects.toThrow(/only interruptResponse blocks/)
    expect(agent.messages).toEqual(before)
    expect(agent.interrupts).toHaveLength(1)

    const resumed = await agent.invoke([
      { interruptResponse: { interruptId: interruptId('t1', 'approval'), response: { approved: true } } },
    ])
    expect(resumed.stopReason).toBe('end_turn')
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('a new prompt instead of a resume answers the waiting tool uses with errors and drops the interrupts', async () => {
    const { calls, make } = counter()
    const model = new ScriptedModel([
      { content: [toolUse('t1', 'list', { path: '.' }), toolUse('t2', 'remove', { path: 'a' })] },
      { content: [{ text: 'ok, something else' }] },
    ])
    const agent = new Agent({
      model,
      tools: [make('list'), make('remove', { needsApproval: true })],
      callbackHandler: null,
    })
    await agent.invoke('tidy up')
    await agent.invoke('never mind, say hi')
    expect(calls).toEqual(['list'])
    expect(agent.interrupts).toEqual([])
    const request = model.requests.at(-1)!.messages
    expect(conversationProblems(request)).toEqual([])
    const answered = request.at(-1)!.content
    expect(answered.map((block) => ('toolResult' in block ? block.toolResult.status : 'text'))).toEqual([
      'success',
      'error',
      'text',
    ])
    expect(conversationProblems(agent.messages)).toEqual([])
  })

  it('interrupt ids are deterministic per tool use and name', () => {
    expect(interruptId('t1', 'approval')).toBe(interruptId('t1', 'approval'))
    expect(interruptId('t1', 'approval')).not.toBe(interruptId('t2', 'approval'))
    expect(interruptId('a:b', 'c')).not.toBe(interruptId('a', 'b:c'))
    expect(interruptId('t1', 'approval')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    )
  })

  it('a direct tool call cannot be interrupted: it is an error result', async () => {
    const { make } = counter()
    const agent = new Agent({
      model: new ScriptedModel([]),
      tools: [make('remove', { needsApproval: true })],
      callbackHandler: null,
    })
    const result = await agent.tool.remove!({ path: 'a' })
    expect(result.status).toBe('error')
    expect(textOf(result)).toMatch(/only an agent run can do/)
  })
})

describe('interrupts in a session', () => {
  it('a new process resumes the interrupt another process saved in its session file', async () => {
    assertBuilt()
    const directory = await mkdtemp(join(tmpdir(), 'agent-interrupt-'))
    try {
      const script = await writeScript(
        directory,
        'run.mjs',
        `
import { Agent, tool } from '$core'
import { FileSessionManager } from '$file-session'
import { ScriptedModel } from '$testing'
const [directory, step, response] = process.argv.slice(2)
const remove = tool({
  name: 'remove',
  description: 'removes a file',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  needsApproval: true,
  callback: ({ path }) => 'removed ' + path + ' in process ' + step,
})
const model = new ScriptedModel([
  ...(step === 'first' ? [{ content: [{ toolUse: { toolUseId: 't1', name: 'remove', input: { path: 'a.txt' } } }] }] : []),
  (request) => ({ content: [{ text: 'model saw: ' + JSON.stringify(request.messages.at(-1).content[0].toolResult.content) }] }),
])
const agent = new Agent({ model, tools: [remove], callbackHandler: null,
  sessionManager: new FileSessionManager({ sessionId: 'chat', directory }) })
const result = step === 'first'
  ? await agent.invoke('remove a.txt')
  : await agent.invoke([{ interruptResponse: { interruptId: process.argv[5], response: JSON.parse(response) } }])
console.log(JSON.stringify({ stopReason: result.stopReason, interrupts: result.interrupts ?? [], text: String(result) }))
`,
      )
      const first = await runNode(script, [directory, 'first', 'null'])
      expect(first.stderr).toBe('')
      const firstOutput = JSON.parse(first.stdout) as { stopReason: string; interrupts: { id: string }[] }
      expect(firstOutput.stopReason).toBe('interrupt')
      const id = firstOutput.interrupts[0]!.id
      const saved = JSON.parse(await readFile(join(directory, 'chat.json'), 'utf8')) as SessionFile
      expect(saved.interruptState?.interrupts.map((interrupt) => interrupt.id)).toEqual([id])
      expect(saved.messages.at(-1)!.role).toBe('assistant')

      const second = await runNode(script, [directory, 'second', JSON.stringify({ approved: true }), id])
      expect(second.stderr).toBe('')
      expect(JSON.parse(second.stdout)).toEqual({
        stopReason: 'end_turn',
        interrupts: [],
        text: 'model saw: [{"text":"removed a.txt in process second"}]',
      })
      const final = JSON.parse(await readFile(join(directory, 'chat.json'), 'utf8')) as SessionFile
      expect(final.interruptState).toBeUndefined()
      expect(conversationProblems(final.messages as Message[])).toEqual([])
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })

  it('an agent restored from a session that waits does not repair the waiting turn', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'agent-interrupt-'))
    try {
      const { make } = counter()
      const tools = [make('remove', { needsApproval: true })]
      const session = () => new FileSessionManager({ sessionId: 's', directory })
      const first = new Agent({
        model: new ScriptedModel([{ content: [toolUse('t1', 'remove', { path: 'a' })] }]),
        tools,
        sessionManager: session(),
        callbackHandler: null,
      })
      await first.invoke('remove a')
      const second = new Agent({
        model: new ScriptedModel([]),
        tools,
        sessionManager: session(),
        callbackHandler: null,
      })
      await second.restoreSession()
      expect(second.messages).toEqual(first.messages)
      expect(second.interrupts).toEqual(first.interrupts)
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  })
})
