import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const env = { ...process.env, AGENT_MODEL: '', OPENAI_API_KEY: '', AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '' }

it('a second process continues the first one’s conversation and state from the session file', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'persistent-session-'))
  try {
    const first = await run(process.execPath, ['src/main.ts', directory, 'What is 42+7?'], { env })
    expect(first.stdout).toContain('Run #1: restored 0 messages')
    expect(first.stdout).toMatch(/→ calculator/)
    expect(first.stdout).toMatch(/← calculator success/)
    expect(first.stdout).toMatch(/Answer: .*49/)
    expect(first.stdout).toMatch(/Cycles: 2 \(model calls: 2/)

    const second = await run(process.execPath, ['src/main.ts', directory, 'And 6*7?'], { env })
    expect(second.stdout).toContain('Run #2: restored 4 messages')
    expect(second.stdout).toMatch(/Answer: .*42/)

    // The BeforeToolCall hook cancels a division by zero; the model is told why.
    const third = await run(process.execPath, ['src/main.ts', directory, 'What is 1/0?'], { env })
    expect(third.stdout).toContain('Run #3: restored 8 messages')
    expect(third.stdout).toMatch(/← calculator error/)
    expect(third.stdout).toContain('division by zero is not allowed')

    const file = JSON.parse(await readFile(join(directory, 'demo.json'), 'utf8'))
    expect(file.version).toBe(1)
    expect(file.messages).toHaveLength(12)
    expect(file.state).toEqual({ runs: 3 })
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
})
