import { fileURLToPath } from 'node:url'
import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

const script = fileURLToPath(new URL('./main.ts', import.meta.url))

it('hands the task from the researcher to the writer to the editor, with no key or network', async () => {
  const { code, stdout, stderr } = await runExample(script, { env: withoutProviders() })
  expect(code, stderr).toBe(0)
  expect(stderr).toMatch(/SCRIPTED demo models/)
  const lines = stdout.trim().split('\n')
  expect(lines.filter((line) => line.startsWith('['))).toEqual([
    '[researcher] Handing over to writer.',
    '[writer] Handing over to editor.',
    expect.stringMatching(/^\[editor\] Sunlight holds every colour/),
  ])
  expect(lines).toContain('  → handoff researcher → writer: Write the note from these facts.')
  expect(lines.find((line) => line.startsWith('status:'))).toMatch(
    /^status: completed; agents: researcher → writer → editor; tokens: 45; \d+ ms$/,
  )
  expect(lines.at(-1)).toMatch(/^answer: Sunlight holds every colour/)
})

it('runs on a provider from the environment (the openai client against a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { code, stdout, stderr } = await runExample(script, { env: openAIEnvironment(server) })
  expect(code, stderr).toBe(0)
  // This loopback model answers without handing off, so the first agent's answer ends the swarm.
  expect(stdout).toMatch(/^status: completed; agents: researcher; tokens: 28; \d+ ms$/m)
  const tools = server.requests[0]!.body!.tools as { function: { name: string } }[]
  expect(tools.map((entry) => entry.function.name)).toEqual(['handoff_to_agent'])
})
