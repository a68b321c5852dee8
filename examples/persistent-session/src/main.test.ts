import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

async function sessionFolder(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'persistent-session-'))
  onTestFinished(() => rm(directory, { recursive: true, force: true }))
  return directory
}

/** Runs the example once in `directory` with `prompt` and returns what it printed. */
async function turn(env: NodeJS.ProcessEnv, directory: string, prompt: string): Promise<string> {
  const { code, stdout, stderr } = await runExample('src/main.ts', { env, args: [directory, prompt] })
  expect(code, stderr).toBe(0)
  return stdout
}

/** Three runs in one session folder: each continues the conversation of the one before. */
async function threeRuns(env: NodeJS.ProcessEnv): Promise<string> {
  const directory = await sessionFolder()
  const first = await turn(env, directory, 'What is 42+7?')
  expect(first).toContain('Run #1: restored 0 messages')
  expect(first).toMatch(/→ calculator/)
  expect(first).toMatch(/← calculator success/)
  expect(first).toMatch(/Answer: .*49/)
  expect(first).toMatch(/Cycles: 2 \(model calls: 2/)

  const second = await turn(env, directory, 'And 6*7?')
  expect(second).toContain('Run #2: restored 4 messages')
  expect(second).toMatch(/Answer: .*42/)

  // The BeforeToolCall hook cancels a division by zero; the model is told why.
  const third = await turn(env, directory, 'What is 1/0?')
  expect(third).toContain('Run #3: restored 8 messages')
  expect(third).toMatch(/← calculator error/)
  expect(third).toContain('division by zero is not allowed')

  const file = JSON.parse(await readFile(join(directory, 'demo.json'), 'utf8'))
  expect(file.version).toBe(1)
  expect(file.messages).toHaveLength(12)
  expect(file.state).toEqual({ runs: 3 })
  return third
}

it('a second process continues the first one’s conversation and state from the session file', async () => {
  await threeRuns(withoutProviders())
})

it('does the same on OpenAI (OPENAI_API_KEY + OPENAI_BASE_URL at a loopback server), sending the whole conversation', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  await threeRuns(openAIEnvironment(server))
  // The third run's first request carries the two earlier runs' messages and its own prompt.
  const thirdRun = server.requests[4]!.body as { messages: { role: string }[] }
  expect(thirdRun.messages.filter((message) => message.role === 'user')).toHaveLength(3)
})

it('keeps its session in the OS temp folder when no folder is given', async () => {
  const { code, stdout } = await runExample('src/main.ts', {
    env: withoutProviders(),
    args: ['', 'What is 2+3?'],
  })
  expect(code).toBe(0)
  expect(stdout).toContain(join(tmpdir(), 'agent-example-persistent-session', 'demo.json'))
})
