import { fileURLToPath } from 'node:url'
import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

const main = fileURLToPath(new URL('./main.ts', import.meta.url))

it('runs both programs on OpenAI configured as a user would (OPENAI_API_KEY + OPENAI_BASE_URL at a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { code, stdout, stderr } = await runExample(main, {
    env: { ...openAIEnvironment(server), OPENAI_MODEL: 'loopback-model' },
  })
  expect(code, stderr).toBe(0)
  expect(stdout).toMatch(/--- Calculate 2\+2 ---\n+\[calculator → 4\]\n2\+2 = 4\n/)
  expect(stdout).toMatch(/🔄 Event loop initialized\n▶️ Event loop cycle 1 starting\n/)
  expect(stdout).toContain('🔧 Using tool: calculator (input so far: {"expression":"42+7"})')
  expect(stdout).toContain('▶️ Event loop cycle 2 starting')
  expect(stdout).toContain('📟 Text: 49')
  expect(stdout).toContain('✅ Done: end_turn')

  // Two model calls per program, each offering the calculator, under the configured model name.
  expect(server.requests).toHaveLength(4)
  const bodies = server.requests.map((request) => request.body as Record<string, any>)
  expect(bodies.map((body) => [body.model, body.tools.length])).toEqual(Array(4).fill(['loopback-model', 1]))
  // Each tool result really went back to the model.
  const toolMessages = bodies.flatMap((body) =>
    body.messages.filter((message: any) => message.role === 'tool'),
  )
  expect(toolMessages.map((message: any) => String(message.content).split('\n')[0])).toEqual(['4', '49'])
  expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-loopback')
})

it('without OPENAI_API_KEY it says what to set and exits with code 2', async () => {
  const { code, stderr } = await runExample(main, { env: withoutProviders() })
  expect(code).toBe(2)
  expect(stderr).toContain('Set OPENAI_API_KEY')
})
