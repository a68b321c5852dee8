import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../agent/agent.js'
import { HookError } from '../errors/hook-error.js'
import { SessionError } from '../errors/session-error.js'
import { ScriptedModel } from '../testing/index.js'
import { FileSessionManager } from './file-session-manager.js'

// A real full disk: a 64 KiB tmpfs. Mounting needs root (CI runs as root in its container).
let directory = ''
let mounted = false

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'agent-full-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', directory], { stdio: 'ignore' })
    mounted = true
  } catch {
    console.warn('full-disk test skipped: cannot mount a tmpfs here (needs root)')
  }
})

afterAll(async () => {
  if (mounted) execFileSync('umount', [directory])
  await rm(directory, { recursive: true, force: true })
})

describe('FileSessionManager on a full disk', () => {
  it('fails with a SessionError and leaves no temporary file', async (context) => {
    if (!mounted) context.skip()
    const agent = new Agent({
      model: new ScriptedModel([{ content: [{ text: 'y'.repeat(200_000) }] }]),
      sessionManager: new FileSessionManager({ sessionId: 'chat', directory }),
      callbackHandler: null,
    })
    const failure = await agent.invoke('x'.repeat(200_000)).catch((error: unknown) => error)
    expect(HookError.isInstance(failure)).toBe(false)
    expect(SessionError.isInstance(failure)).toBe(true)
    expect((failure as Error).message).toMatch(/ENOSPC/)
    expect(await readdir(directory)).toEqual([])
  })
})
