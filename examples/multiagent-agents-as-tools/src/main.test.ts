import { fileURLToPath } from 'node:url'
import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

const script = fileURLToPath(new URL('./main.ts', import.meta.url))

it("prints the sub-agents' text live, between the orchestrator's tool calls, with no key or network", async () => {
  const { code, stdout, stderr } = await runExample(script, { env: withoutProviders() })
  expect(code, stderr).toBe(0)
  expect(stderr).toMatch(/SCRIPTED demo models/)
  const lines = stdout.trim().split('\n')
  expect(lines.map((line) => line.slice(0, line.indexOf(']') + 1))).toEqual([
    '[researcher]',
    '[orchestrator]',
    '[writer]',
    '[orchestrator]',
  ])
  expect(lines[0]).toContain('Air molecules scatter blue light most.')
  expect(lines[3]).toContain('Here it is:')
})

it('runs on a provider from the environment (the openai client against a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { code, stdout, stderr } = await runExample(script, { env: openAIEnvironment(server) })
  expect(code, stderr).toBe(0)
  expect(stderr).not.toMatch(/SCRIPTED/)
  // This loopback model never calls a tool, so the orchestrator answers itself.
  expect(stdout.trim()).toBe(
    '[orchestrator] This loopback model only does arithmetic, with a calculator tool.',
  )
  expect(server.requests[0]!.body!.tools).toHaveLength(2)
})
