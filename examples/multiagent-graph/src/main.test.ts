import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { startLoopbackChatServer } from './loopback-chat-server.ts'

const run = promisify(execFile)
const noProvider = {
  ...process.env,
  AGENT_MODEL: '',
  OPENAI_API_KEY: '',
  AWS_ACCESS_KEY_ID: '',
  AWS_PROFILE: '',
}

it('runs the two branches at once, then the writer, then the function node, with no key or network', async () => {
  const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], { env: noProvider })
  expect(stderr).toMatch(/SCRIPTED demo models/)
  const lines = stdout.trim().split('\n')
  const marks = lines.filter((line) => line.startsWith('▶') || line.startsWith('■'))
  // Both branches start before either finishes.
  expect(marks.slice(0, 2).sort()).toEqual(['▶ history started', '▶ science started'])
  expect(marks.slice(4)).toEqual([
    '▶ writer started',
    '■ writer completed',
    '▶ check_length started',
    '■ check_length completed: {"words":15,"short":true}',
  ])
  // Their words interleave.
  expect(
    lines.filter((line) => line.startsWith('  [science]') || line.startsWith('  [history]')).length,
  ).toBeGreaterThan(2)
  expect(lines.at(-1)).toMatch(
    /^status: completed; finished: (science, history|history, science), writer, check_length; tokens: 45$/,
  )
})

it('runs on a real provider from the environment (the openai client against a loopback server)', async () => {
  const server = await startLoopbackChatServer()
  try {
    const env = {
      ...noProvider,
      OPENAI_API_KEY: 'loopback-key',
      OPENAI_BASE_URL: server.baseURL,
      OPENAI_MODEL: 'loopback',
    }
    const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], { env })
    expect(stderr).not.toMatch(/SCRIPTED/)
    expect(stdout).toMatch(/\[writer\] Loopback answer \d\./)
    expect(stdout.trim().split('\n').at(-1)).toMatch(
      /^status: completed; finished: .*writer, check_length; tokens: 39$/,
    )
    expect(server.requests).toBe(3)
  } finally {
    await server.close()
  }
})
