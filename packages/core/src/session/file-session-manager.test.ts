import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Agent } from '../agent/agent.js'
import { SessionConflictError, SessionError } from '../errors/session-error.js'
import { MessageAddedEvent } from '../hooks/hook-events.js'
import { conversationProblems, ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import type { Message } from '../types/messages.js'
import { FileSessionManager, type SessionFile, sessionFileVersion } from './file-session-manager.js'
import { assertBuilt, runNode, writeScript } from './test-support/child-process.js'

let directory: string

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-session-'))
})

afterEach(async () => {
  await rm(directory, { recursive: true, force: true })
})

const readSession = async (sessionId = 'chat'): Promise<SessionFile> =>
  JSON.parse(await readFile(join(directory, `${sessionId}.json`), 'utf8')) as SessionFile

const echo = tool({
  name: 'echo',
  description: 'echoes',
  inputSchema: z.object({ text: z.string() }),
  callback: ({ text }) => text,
})

describe('FileSessionManager with an agent', () => {
  it('persists messages and state after every message', async () => {
    const session = new FileSessionManager({ sessionId: 'chat', directory })
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 't1', name: 'echo', input: { text: 'hi' } } }] },
      { content: [{ text: 'done' }] },
    ])
    const agent = new Agent({ model, tools: [echo], sessionManager: session, callbackHandler: null })
    agent.state.set('user', 'ada')
    const savedCounts: number[] = []
    // Registered after the session's own hook, so the file is already written when it runs.
    agent.hooks.add(MessageAddedEvent, async () => {
      const file = await readSession()
      savedCounts.push(file.messages.length)
      expect(file.messages).toEqual(agent.messages)
    })
    await agent.invoke('echo hi')
    expect(savedCounts).toEqual([1, 2, 3, 4])
    const file = await readSession()
    expect(file).toMatchObject({ version: sessionFileVersion, sessionId: 'chat', state: { user: 'ada' } })
    expect(file.revision).toBeGreaterThanOrEqual(4)
    expect((await readdir(directory)).sort()).toEqual(['chat.json'])
  })

  it('restores the conversation and state into a new agent, which continues it', async () => {
    const first = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'Nice to meet you, Ada.' }] }]),
      sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
      callbackHandler: null,
    })
    first.state.set('visits', 1)
    await first.invoke('My name is Ada.')

    const model = new ScriptedModel([{ content: [{ text: 'You are Ada.' }] }])
    const second = new Agent({
      model,
      sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
      callbackHandler: null,
    })
    await second.restoreSession()
    expect(second.messages).toEqual(first.messages)
    expect(second.state.get('visits')).toBe(1)
    await second.invoke('Who am I?')
    expect(model.requests[0]!.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user'])
    expect((await readSession()).messages).toHaveLength(4)
  })

  it('repairs a conversation that ended between a toolUse and its toolResult', async () => {
    const interrupted: Message[] = [
      { role: 'user', content: [{ text: 'echo hi' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'echo', input: { text: 'hi' } } }] },
    ]
    await new FileSessionManager({ sessionId: 'chat', directory }).save({ messages: interrupted, state: {} })
    const model = new ScriptedModel([
      { content: [{ text: 'The echo tool did not finish; retrying later.' }] },
    ])
    const agent = new Agent({
      model,
      tools: [echo],
      sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
      callbackHandler: null,
    })
    await agent.invoke('what happened?')
    const sent = model.requests[0]!.messages
    expect(conversationProblems(sent)).toEqual([])
    expect(sent[2]!.content[0]).toMatchObject({
      toolResult: {
        toolUseId: 't1',
        status: 'error',
        content: [{ text: expect.stringMatching(/did not return/) }],
      },
    })
    expect(sent[2]!.content[1]).toEqual({ text: 'what happened?' })
    expect(conversationProblems((await readSession()).messages)).toEqual([])
  })

  const unusable: [string, string, RegExp][] = [
    [
      'truncated',
      '{"version":1,"sessionId":"chat","revision":3,"messages":[{"role":"user","con',
      /not valid JSON/,
    ],
    ['corrupt', '\u0000\u0001garbage', /not valid JSON/],
    [
      'from an unknown version',
      JSON.stringify({ version: 99, sessionId: 'chat', revision: 1, messages: [], state: {} }),
      /format version is 99/,
    ],
    [
      'malformed',
      JSON.stringify({ version: 1, sessionId: 'chat', revision: 1, messages: 'no' }),
      /malformed/,
    ],
  ]
  for (const [what, content, message] of unusable) {
    it(`a session file that is ${what} fails clearly and is left untouched`, async () => {
      const path = join(directory, 'chat.json')
      await writeFile(path, content)
      const model = new ScriptedModel([{ content: [{ text: 'unused' }] }])
      const agent = new Agent({
        model,
        sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
        callbackHandler: null,
      })
      const failure = await agent.invoke('Hi').catch((error: unknown) => error)
      expect(SessionError.isInstance(failure)).toBe(true)
      expect((failure as Error).message).toMatch(message)
      expect((failure as Error).message).toMatch(/left untouched/)
      expect(model.requests).toHaveLength(0)
      expect(agent.messages).toEqual([])
      // A second try fails the same way: nothing was overwritten in between.
      await expect(agent.invoke('Hi again')).rejects.toSatisfy(SessionError.isInstance)
      expect(await readFile(path, 'utf8')).toBe(content)
      expect(await readdir(directory)).toEqual(['chat.json'])
      // And a direct save refuses to replace it.
      const direct = new FileSessionManager({ sessionId: 'chat', directory })
      await expect(direct.save({ messages: [], state: {} })).rejects.toSatisfy(SessionError.isInstance)
      expect(await readFile(path, 'utf8')).toBe(content)
    })
  }

  for (const content of ['[null]', '["text"]', '[{"toolUse":null}]', '[{"toolResult":{"toolUseId":1}}]']) {
    it(`a session with malformed content blocks ${content} fails with a SessionError`, async () => {
      const file = `{"version":1,"sessionId":"chat","revision":1,"messages":[{"role":"assistant","content":${content}}],"state":{}}`
      await writeFile(join(directory, 'chat.json'), file)
      const agent = new Agent({
        model: new ScriptedModel([{ content: [{ text: 'unused' }] }]),
        sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
        callbackHandler: null,
      })
      const failure = await agent.restoreSession().catch((error: unknown) => error)
      expect(SessionError.isInstance(failure)).toBe(true)
      expect((failure as Error).message).toMatch(/malformed/)
    })
  }

  it('keeps a state key "__proto__" as data, across a save and a restore', async () => {
    await writeFile(
      join(directory, 'chat.json'),
      '{"version":1,"sessionId":"chat","revision":1,"messages":[],"state":{"__proto__":{"polluted":true},"plain":1}}',
    )
    const make = (text: string) =>
      new Agent({
        model: new ScriptedModel([{ content: [{ text }] }]),
        sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
        callbackHandler: null,
      })
    const result = await make('one').invoke('Hi')
    expect(Object.keys(result.state).sort()).toEqual(['__proto__', 'plain'])
    expect((result.state as { polluted?: unknown }).polluted).toBeUndefined()
    const saved = await readFile(join(directory, 'chat.json'), 'utf8')
    expect(JSON.parse(saved).state).toEqual(JSON.parse('{"__proto__":{"polluted":true},"plain":1}'))
    const again = make('two')
    await again.restoreSession()
    expect(again.state.get('__proto__')).toEqual({ polluted: true })
  })

  it('a second writer that saw an older revision gets a SessionConflictError, and nothing is lost', async () => {
    const a = new FileSessionManager({ sessionId: 'chat', directory })
    const b = new FileSessionManager({ sessionId: 'chat', directory })
    await a.load()
    await b.load()
    await a.save({ messages: [{ role: 'user', content: [{ text: 'from a' }] }], state: {} })
    await expect(
      b.save({ messages: [{ role: 'user', content: [{ text: 'from b' }] }], state: {} }),
    ).rejects.toSatisfy(SessionConflictError.isInstance)
    expect((await readSession()).messages).toEqual([{ role: 'user', content: [{ text: 'from a' }] }])
    // After loading again, b may write.
    await b.load()
    await b.save({ messages: [{ role: 'user', content: [{ text: 'from b' }] }], state: {} })
    expect((await readSession()).revision).toBe(2)
  })

  it('an agent that lost a write race fails with SessionConflictError and recovers with restoreSession()', async () => {
    const make = (text: string) =>
      new Agent({
        model: new ScriptedModel([{ content: [{ text }] }, { content: [{ text: `${text} again` }] }]),
        sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
        callbackHandler: null,
      })
    const a = make('from a')
    const b = make('from b')
    await a.restoreSession()
    await b.restoreSession()
    await a.invoke('hello from a')
    const failure = await b.invoke('hello from b').catch((error: unknown) => error)
    expect(SessionConflictError.isInstance(failure)).toBe(true)
    expect((failure as Error).message).toMatch(/changed by another writer/)
    expect((await readSession()).messages.map((message) => message.content)).toEqual([
      [{ text: 'hello from a' }],
      [{ text: 'from a' }],
    ])
    await b.restoreSession()
    expect(b.messages).toHaveLength(2)
    await b.invoke('hello again from b')
    expect((await readSession()).messages).toHaveLength(4)
    expect(conversationProblems((await readSession()).messages)).toEqual([])
  })

  it('rejects session ids that could escape the directory', () => {
    for (const sessionId of ['../x', 'a/b', '..', '', 'x'.repeat(200)]) {
      expect(() => new FileSessionManager({ sessionId, directory })).toThrow(TypeError)
    }
  })
})

describe('FileSessionManager across processes', () => {
  beforeEach(() => assertBuilt())

  it('a restarted process continues the conversation from the session file', {
    timeout: 20_000,
  }, async () => {
    const script = await writeScript(
      directory,
      'chat.mjs',
      `
import { Agent, tool } from '$core'
import { FileSessionManager } from '$file-session'
import { ScriptedModel } from '$testing'
const [directory, phase] = process.argv.slice(2)
const sessionManager = new FileSessionManager({ sessionId: 'chat', directory })
const slow = tool({ name: 'slow', description: 'never returns in time', inputSchema: { type: 'object' },
  callback: () => process.exit(7) })
const replies = {
  first: [{ content: [{ text: 'Nice to meet you, Ada.' }] }],
  crash: [{ content: [{ toolUse: { toolUseId: 'crash-1', name: 'slow', input: {} } }] }],
  resume: [(request) => ({ content: [{ text: JSON.stringify(request.messages).includes('My name is Ada')
    ? 'Your name is Ada.' : 'I do not know your name.' }] })],
}[phase]
const agent = new Agent({ model: new ScriptedModel(replies), tools: [slow], sessionManager, callbackHandler: null })
if (phase === 'first') agent.state.set('visits', 1)
const prompt = { first: 'My name is Ada.', crash: 'Run the slow tool.', resume: 'What is my name?' }[phase]
const result = await agent.invoke(prompt)
if (phase === 'resume') agent.state.set('visits', (agent.state.get('visits') ?? 0) + 1)
console.log(JSON.stringify({ answer: String(result), messages: agent.messages, state: agent.state.toJSON() }))
`,
    )
    const first = await runNode(script, [directory, 'first'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    // This process dies inside the tool: the file ends with the tool use and no result.
    const crash = await runNode(script, [directory, 'crash'])
    expect(crash.code).toBe(7)
    const afterCrash = await readSession()
    expect(afterCrash.messages.at(-1)?.content[0]).toHaveProperty('toolUse')
    expect(conversationProblems(afterCrash.messages)).not.toEqual([])

    const resumed = await runNode(script, [directory, 'resume'])
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)
    const output = JSON.parse(resumed.stdout) as { answer: string; messages: Message[]; state: object }
    expect(output.answer).toBe('Your name is Ada.')
    // Restored from the first process (1), then incremented here.
    expect(output.state).toEqual({ visits: 2 })
    expect(output.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ])
    expect(conversationProblems(output.messages)).toEqual([])
    expect((await readSession()).messages).toEqual(output.messages)
  })

  it('two processes writing one session never corrupt it or lose a save', { timeout: 30_000 }, async () => {
    const script = await writeScript(
      directory,
      'writer.mjs',
      `
import { FileSessionManager } from '$file-session'
const [directory, name, count] = process.argv.slice(2)
const manager = new FileSessionManager({ sessionId: 'shared', directory, lockTimeoutMs: 20_000 })
let saved = 0
let conflicts = 0
for (let index = 0; index < Number(count); index++) {
  const data = (await manager.load()) ?? { messages: [], state: {} }
  // Large messages make each write slow enough for the two writers to overlap.
  data.messages.push({ role: 'user', content: [{ text: name + ' ' + index + ' ' + 'x'.repeat(20_000) }] })
  data.state.last = name
  try {
    await manager.save(data)
    saved++
  } catch (error) {
    if (error.name !== 'SessionConflictError') throw error
    conflicts++
  }
}
console.log(JSON.stringify({ saved, conflicts }))
`,
    )
    const [a, b] = await Promise.all([
      runNode(script, [directory, 'a', '30']),
      runNode(script, [directory, 'b', '30']),
    ])
    expect(a.stderr + b.stderr).toBe('')
    const counts = [a, b].map((outcome) => JSON.parse(outcome.stdout) as { saved: number; conflicts: number })
    const file = await readSession('shared')
    const saves = counts[0]!.saved + counts[1]!.saved
    // Every successful save built on the one before it: one message per revision, none lost.
    expect(file.revision).toBe(saves)
    expect(file.messages).toHaveLength(saves)
    expect(counts[0]!.saved + counts[0]!.conflicts).toBe(30)
    expect(counts[1]!.saved + counts[1]!.conflicts).toBe(30)
    expect(await readdir(directory)).toEqual(expect.arrayContaining(['shared.json']))
    expect(
      (await readdir(directory)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock')),
    ).toEqual([])
  })

  it('removes a lock left by a process that died on this host', { timeout: 20_000 }, async () => {
    // The pid of an exited child is no longer alive; a lock naming it (and this host) is stale.
    const script = await writeScript(directory, 'pid.mjs', 'console.log(process.pid)\n')
    const exited = await runNode(script, [])
    const lock = { pid: Number(exited.stdout.trim()), host: hostname(), id: 'stale' }
    await writeFile(join(directory, 'chat.json.lock'), JSON.stringify(lock))
    const manager = new FileSessionManager({ sessionId: 'chat', directory, lockTimeoutMs: 2000 })
    await manager.load()
    await manager.save({ messages: [], state: { ok: true } })
    expect((await readSession()).state).toEqual({ ok: true })
  })

  const foreignLocks = [
    JSON.stringify({ pid: 2 ** 22 + 17, host: 'another-container', id: 'fresh' }),
    `${2 ** 22 + 17} written-by-an-older-version`,
  ]
  for (const content of foreignLocks)
    it(`a lock whose pid this process cannot see (${content.slice(0, 12)}…) holds until its lease runs out`, async () => {
      await writeFile(join(directory, 'chat.json.lock'), content)
      const manager = new FileSessionManager({ sessionId: 'chat', directory, lockTimeoutMs: 100 })
      await manager.load()
      await expect(manager.save({ messages: [], state: {} })).rejects.toThrow(
        /stayed locked by another writer/,
      )
      expect(await readdir(directory)).toEqual(['chat.json.lock'])
      // Once its lease is over (here 1 ms, and the file is older), it is taken over.
      const past = new Date(Date.now() - 60_000)
      await utimes(join(directory, 'chat.json.lock'), past, past)
      const patient = new FileSessionManager({ sessionId: 'chat', directory, staleLockMs: 1000 })
      await patient.load()
      await patient.save({ messages: [], state: { ok: true } })
      expect((await readSession()).state).toEqual({ ok: true })
    })

  it('writers racing to take over one stale lock: exactly one save wins, the rest see a conflict', {
    timeout: 30_000,
  }, async () => {
    const writers = 6
    const script = await writeScript(
      directory,
      'racer.mjs',
      `
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { FileSessionManager } from '$file-session'
const [directory, name] = process.argv.slice(2)
const manager = new FileSessionManager({ sessionId: 'shared', directory, lockTimeoutMs: 20_000 })
const data = (await manager.load()) ?? { messages: [], state: {} }
data.messages.push({ role: 'user', content: [{ text: name + ' ' + 'x'.repeat(2_000_000) }] })
await writeFile(directory + '/ready-' + name, '')
while (!existsSync(directory + '/go')) await new Promise((resolve) => setTimeout(resolve, 1))
try {
  await manager.save(data)
  console.log('saved')
} catch (error) {
  console.log(error.name)
}
`,
    )
    // A lock left by a writer that crashed long ago: every racer judges it stale at once.
    const lockPath = join(directory, 'shared.json.lock')
    await writeFile(lockPath, JSON.stringify({ pid: 1, host: 'gone', id: 'crashed' }))
    const past = new Date(Date.now() - 3_600_000)
    await utimes(lockPath, past, past)
    const runs = Array.from({ length: writers }, (_, index) => runNode(script, [directory, `w${index}`]))
    while ((await readdir(directory)).filter((name) => name.startsWith('ready-')).length < writers) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await writeFile(join(directory, 'go'), '')
    const outcomes = await Promise.all(runs)
    expect(outcomes.map((outcome) => outcome.stderr).join('')).toBe('')
    const results = outcomes.map((outcome) => outcome.stdout.trim()).sort()
    expect(results).toEqual([...Array(writers - 1).fill('SessionConflictError'), 'saved'])
    const file = await readSession('shared')
    expect(file.revision).toBe(1)
    expect(file.messages).toHaveLength(1)
    expect((await readdir(directory)).filter((name) => /\.(tmp|lock|takeover)$/.test(name))).toEqual([])
  })

  it('fails with a SessionError when another live writer holds the lock too long', async () => {
    await writeFile(
      join(directory, 'chat.json.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), id: 'held' }),
    )
    const manager = new FileSessionManager({ sessionId: 'chat', directory, lockTimeoutMs: 50 })
    await manager.load()
    await expect(manager.save({ messages: [], state: {} })).rejects.toThrow(/stayed locked by another writer/)
    expect(await readdir(directory)).toEqual(['chat.json.lock'])
  })
})
