import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

/** Runs the tracker and checks the narration every model produces; returns its lines. */
async function narration(env: NodeJS.ProcessEnv): Promise<string[]> {
  const { code, stdout, stderr } = await runExample('src/main.ts', { env })
  expect(code, stderr).toBe(0)
  const lines = stdout.trim().split('\n')
  expect(lines[0]).toBe('🔄 Event loop initialized')
  expect(lines.filter((line) => line === '▶️ Event loop cycle starting')).toHaveLength(2)
  expect(lines).toContain('🔧 Using tool: calculator')
  expect(lines).toContain('📬 New message created: assistant')
  expect(lines).toContain('📬 New message created: user')
  expect(lines.some((line) => line.startsWith('📟 Text: '))).toBe(true)
  expect(lines.at(-1)).toBe('✅ Event loop completed')
  expect(stdout).toContain('49')
  return lines
}

it('narrates the lifecycle of a tool-using invocation on the offline model', async () => {
  await narration(withoutProviders())
})

it('narrates the same lifecycle on OpenAI (OPENAI_API_KEY + OPENAI_BASE_URL at a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const lines = await narration(openAIEnvironment(server))
  // The loopback model streams its answer word by word: one 📟 line per delta.
  expect(lines.filter((line) => line.startsWith('📟 Text: '))).toEqual([
    '📟 Text: 42+7 ',
    '📟 Text: = ',
    '📟 Text: 49',
  ])
  expect(server.requests).toHaveLength(2)
})
