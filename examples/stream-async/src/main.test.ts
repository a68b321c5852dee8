import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import {
  bedrockEnvironment,
  openAIEnvironment,
  runExample,
  startArithmeticBedrock,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

/** Runs the demo and returns the events it printed, one JSON object per line. */
async function demoEvents(env: NodeJS.ProcessEnv, cwd?: string) {
  const script = fileURLToPath(new URL('./main.ts', import.meta.url))
  const { code, stdout, stderr } = await runExample(script, { env, cwd })
  expect(code, stderr).toBe(0)
  const events = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(events[0]).toEqual({ type: 'init_event_loop', init_event_loop: true })
  expect(events.some((event) => event.type === 'tool_result' && event.tool_result.status === 'success')).toBe(
    true,
  )
  const last = events.at(-1)
  expect(last.type).toBe('result')
  return { text: last.result.message.content[0].text as string, stderr }
}

it('prints the event stream of "Calculate 2+2", ending in a result containing 4, with no key or network', async () => {
  const { text, stderr } = await demoEvents(withoutProviders())
  expect(text).toContain('2+2 = 4')
  expect(stderr).toMatch(/offline model/)
})

it('runs on OpenAI when OPENAI_API_KEY and OPENAI_BASE_URL are set (a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { text, stderr } = await demoEvents(openAIEnvironment(server))
  expect(text).toBe('2+2 = 4')
  expect(stderr).not.toMatch(/offline model/)
  expect(server.requests.map((request) => request.path)).toEqual([
    '/v1/chat/completions',
    '/v1/chat/completions',
  ])
})

it('runs on Bedrock when AWS credentials and AWS_ENDPOINT_URL_BEDROCK_RUNTIME are set (a loopback server)', async () => {
  const server = await startArithmeticBedrock()
  onTestFinished(() => server.close())
  const { text } = await demoEvents(bedrockEnvironment(server))
  expect(text).toBe('2+2 = 4')
  expect(server.requests).toHaveLength(2)
  expect(server.requests[0]!.path).toMatch(/\/model\/.+\/converse-stream$/)
})

it('finds the provider package from the program itself when started from another folder', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  // The working directory cannot resolve @agent/openai; the example's own folder can.
  const { text } = await demoEvents(openAIEnvironment(server), tmpdir())
  expect(text).toBe('2+2 = 4')
})
