import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

/** Runs the example; checks the agent's two answers and the tool's direct calls, whatever the model. */
async function runCalculator(env: NodeJS.ProcessEnv): Promise<string> {
  const { code, stdout, stderr } = await runExample('index.js', { env })
  expect(code, stderr).toBe(0)
  expect(stdout).toContain('[calculator → 4]')
  expect(stdout).toMatch(/result: .*49/)
  expect(stdout).toContain('{"expression":"x^2 - 3x + 2 = 0","mode":"solve"}\n  success: ')
  // The sandbox refuses the hostile expression.
  expect(stdout).toMatch(/"cos\.constructor\(\\"return process\\"\)\(\)"\}\n {2}error: /)
  return stdout
}

it('answers with the offline model and runs every calculator mode, with no key or network', async () => {
  await runCalculator(withoutProviders())
})

it('answers on OpenAI (OPENAI_API_KEY + OPENAI_BASE_URL at a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const stdout = await runCalculator(openAIEnvironment(server))
  expect(stdout).toContain('result: 42+7 = 49')
  expect(server.requests).toHaveLength(4)
})
