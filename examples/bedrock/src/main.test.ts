import { fileURLToPath } from 'node:url'
import { bedrockEnvironment, runExample, startArithmeticBedrock } from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

it('runs both programs on Bedrock configured as a user would (AWS credentials + AWS_ENDPOINT_URL_BEDROCK_RUNTIME)', async () => {
  const server = await startArithmeticBedrock()
  onTestFinished(() => server.close())
  const { code, stdout, stderr } = await runExample(fileURLToPath(new URL('./main.ts', import.meta.url)), {
    env: { ...bedrockEnvironment(server), BEDROCK_MODEL_ID: 'us.anthropic.claude-sonnet-4-20250514-v1:0' },
  })
  expect(code, stderr).toBe(0)

  // Program 1: the streamed answer and the result.
  expect(stdout).toContain('2+2 = 4')
  expect(stdout).toContain('[result] stop reason: end_turn')
  // Program 2: lifecycle events in order.
  const lifecycle = stdout.slice(stdout.indexOf('[lifecycle] event loop initialised'))
  expect(lifecycle.split('\n').filter((line) => line.startsWith('['))).toEqual([
    '[lifecycle] event loop initialised',
    '[lifecycle] cycle 1 started',
    '[message] assistant, 1 block(s)',
    '[tool] success: {"text":"49"}',
    '[message] user, 1 block(s)',
    '[lifecycle] cycle 2 started',
    '[message] assistant, 1 block(s)',
    '[lifecycle] done: end_turn; answer: 42+7 = 49',
  ])
  // What reached "Bedrock": four signed requests to the model, the calculator's results sent back with status.
  expect(server.requests.map((request) => request.path)).toEqual(
    Array(4).fill('/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream'),
  )
  expect(String(server.requests[0]!.headers.authorization)).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDLOOPBACK\//,
  )
  const toolResult = server.requests[1]!.body.messages.at(-1).content[0].toolResult
  expect(toolResult.content).toEqual([{ text: '4' }, { json: { mode: 'evaluate', result: 4, text: '4' } }])
  expect(toolResult.status).toBe('success')
})
