import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { AgentError } from '../errors/agent-error.js'
import { AbortError, ConcurrencyError, ToolInputError } from '../errors/invocation-errors.js'
import { ContextWindowOverflowError, ModelError, ModelThrottledError } from '../errors/model-error.js'
import { OfflineModel } from '../models/offline-model.js'
import { registerModelProvider, resolveModel } from '../models/resolve-model.js'
import { ScriptedModel } from '../testing/index.js'
import { tool } from '../tools/tool.js'
import { Agent } from './agent.js'
import { createPrintingCallbackHandler } from './printing-callback-handler.js'

const adder = tool({
  name: 'adder',
  description: 'adds',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  callback: ({ a, b }) => ({ sum: a + b }),
})

describe('agent.tool.<name>: direct calls', () => {
  it('runs the tool and resolves to its result', async () => {
    const agent = new Agent({ model: new ScriptedModel([]), tools: [adder], callbackHandler: null })
    const result = await agent.tool.adder!({ a: 2, b: 3 })
    expect(result).toMatchObject({ status: 'success', content: [{ json: { sum: 5 } }] })
    expect(result.toolUseId).toMatch(/^direct-adder-/)
    expect(Object.keys(agent.tool)).toEqual(['adder'])
    expect('adder' in agent.tool).toBe(true)
  })

  it('resolves to an error result for invalid input or an unknown tool, without throwing', async () => {
    const agent = new Agent({ model: new ScriptedModel([]), tools: [adder], callbackHandler: null })
    const invalid = await agent.tool.adder!({ a: 'x' })
    expect(invalid.status).toBe('error')
    expect(JSON.stringify(invalid.content)).toMatch(/Invalid input for tool \\"adder\\"/)
    const unknown = await agent.tool.missing!({})
    expect(unknown.status).toBe('error')
  })

  it('does not touch the conversation', async () => {
    const agent = new Agent({ model: new ScriptedModel([]), tools: [adder], callbackHandler: null })
    await agent.tool.adder!({ a: 1, b: 1 })
    expect(agent.messages).toEqual([])
  })
})

describe('tool definitions', () => {
  it('rejects names providers would refuse and duplicate names', () => {
    expect(() =>
      tool({ name: 'has space', description: '', inputSchema: { type: 'object' }, callback: () => '' }),
    ).toThrow(/invalid/)
    expect(() => new Agent({ tools: [adder, adder], callbackHandler: null })).toThrow(/unique/)
  })

  it('accepts a callback that returns a result with its own status', async () => {
    const picky = tool({
      name: 'picky',
      description: '',
      inputSchema: { type: 'object', properties: {} },
      callback: () => ({ status: 'error' as const, content: [{ text: 'nope' }] }),
    })
    const agent = new Agent({ model: new ScriptedModel([]), tools: [picky], callbackHandler: null })
    expect(await agent.tool.picky!({})).toMatchObject({ status: 'error', content: [{ text: 'nope' }] })
  })
})

describe('options', () => {
  it('rejects non-positive limits', () => {
    expect(() => new Agent({ maxCycles: 0 })).toThrow(RangeError)
    expect(() => new Agent({ toolConcurrency: -1 })).toThrow(RangeError)
  })

  it('the default callback handler prints streamed text and tool names', async () => {
    const written: string[] = []
    const handler = createPrintingCallbackHandler((text) => written.push(text))
    const model = new ScriptedModel([
      { content: [{ toolUse: { toolUseId: 't', name: 'adder', input: { a: 1, b: 1 } } }] },
      { content: [{ text: 'two' }] },
    ])
    await new Agent({ model, tools: [adder], callbackHandler: handler }).invoke('1+1')
    expect(written.join('')).toBe('\nTool #1: adder\ntwo\n')
  })

  it('prints to stdout by default', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await new Agent({ model: new ScriptedModel([{ content: [{ text: 'printed' }] }]) }).invoke('Hi')
      expect(write.mock.calls.map((call) => call[0]).join('')).toContain('printed')
    } finally {
      write.mockRestore()
    }
  })
})

describe('model resolution', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('uses a Model object as it is', async () => {
    const model = new ScriptedModel([])
    expect(await resolveModel(model)).toBe(model)
  })

  it('resolves provider strings through registered factories', async () => {
    const model = new ScriptedModel([{ content: [{ text: 'from factory' }] }])
    registerModelProvider('test-provider', (modelId) => {
      expect(modelId).toBe('some-model:v1')
      return model
    })
    const agent = new Agent({ model: 'test-provider:some-model:v1', callbackHandler: null })
    expect(String(await agent.invoke('Hi'))).toBe('from factory')
  })

  it('explains an unknown provider or a malformed string', async () => {
    await expect(resolveModel('nope:model')).rejects.toThrow(/Unknown model provider "nope"/)
    await expect(resolveModel('no-colon')).rejects.toThrow(/provider:modelId/)
    const agent = new Agent({ model: 'nope:model', callbackHandler: null })
    await expect(agent.invoke('Hi')).rejects.toSatisfy(AgentError.isInstance)
    // Nothing was answered, so the conversation is as it was before the run.
    expect(agent.messages).toEqual([])
  })

  it('falls back to the offline model with a one-line notice when nothing is configured', async () => {
    for (const name of [
      'AGENT_MODEL',
      'OPENAI_API_KEY',
      'AWS_ACCESS_KEY_ID',
      'AWS_PROFILE',
      'AWS_BEARER_TOKEN_BEDROCK',
    ]) {
      vi.stubEnv(name, '')
    }
    const notice = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(await resolveModel(undefined)).toBeInstanceOf(OfflineModel)
      await resolveModel(undefined)
      expect(notice.mock.calls.length).toBeLessThanOrEqual(1)
    } finally {
      notice.mockRestore()
    }
  })

  it('follows AGENT_MODEL', async () => {
    const model = new ScriptedModel([])
    registerModelProvider('env-provider', () => model)
    vi.stubEnv('AGENT_MODEL', 'env-provider:x')
    expect(await resolveModel(undefined)).toBe(model)
  })
})

describe('errors', () => {
  it('isInstance works across copies of the package (by marker, not prototype)', () => {
    const throttled = new ModelThrottledError('slow down', { retryAfterMs: 1500, status: 429 })
    expect(ModelThrottledError.isInstance(throttled)).toBe(true)
    expect(ModelError.isInstance(throttled)).toBe(true)
    expect(AgentError.isInstance(throttled)).toBe(true)
    expect(ContextWindowOverflowError.isInstance(throttled)).toBe(false)
    expect(throttled).toMatchObject({
      name: 'ModelThrottledError',
      retryAfterMs: 1500,
      status: 429,
      retryable: true,
    })
    // A structurally separate copy: same marker symbol, different class.
    const copy = Object.create(null)
    copy[Symbol.for('@agent/core.errorKinds')] = ['AgentError', 'ModelError']
    expect(ModelError.isInstance(copy)).toBe(true)
    expect(ModelError.isInstance(new Error('plain'))).toBe(false)
    expect(ModelError.isInstance(undefined)).toBe(false)
  })

  it('AbortError also matches the platform AbortError', () => {
    expect(AbortError.isInstance(new DOMException('stop', 'AbortError'))).toBe(true)
    expect(AbortError.isInstance(new AbortError())).toBe(true)
    expect(ConcurrencyError.isInstance(new AbortError())).toBe(false)
    expect(ToolInputError.isInstance(new ToolInputError('x'))).toBe(true)
  })
})

describe('error classes', () => {
  it('name themselves, keep their fields, and guard unbound (e.g. as a filter callback)', () => {
    const errors: unknown[] = [
      new ModelError('boom', { status: 500, retryable: true }),
      new ContextWindowOverflowError('too long'),
      new ConcurrencyError('busy'),
      new Error('plain'),
    ]
    expect(errors.filter(ModelError.isInstance).map((error) => error.name)).toEqual([
      'ModelError',
      'ContextWindowOverflowError',
    ])
    expect(errors.filter(AgentError.isInstance)).toHaveLength(3)
    expect(errors[0]).toMatchObject({ message: 'boom', status: 500, retryable: true })
    expect(new AbortError().message).toBe('The operation was aborted.')
    expect(String(new ConcurrencyError('busy'))).toBe('ConcurrencyError: busy')
  })
})
