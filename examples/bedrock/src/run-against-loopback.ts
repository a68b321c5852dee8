// `pnpm test`: runs `src/main.ts` unchanged against the loopback Bedrock, configured only through the
// AWS environment variables a real run uses, and checks what it printed and what it sent.

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { startLoopbackBedrock } from './loopback-bedrock.ts'

const server = await startLoopbackBedrock()
try {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [fileURLToPath(new URL('./main.ts', import.meta.url))],
    {
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK',
        AWS_SECRET_ACCESS_KEY: 'loopback-secret',
        BEDROCK_MODEL_ID: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      },
      timeout: 30_000,
    },
  )
  process.stdout.write(stdout)

  // Program 1: the streamed answer and the result.
  assert.match(stdout, /The answer: 2\+2 = 4/)
  assert.match(stdout, /\[result\] stop reason: end_turn/)
  // Program 2: lifecycle events in order.
  const lifecycle = stdout.slice(stdout.indexOf('[lifecycle] event loop initialised'))
  assert.deepEqual(
    lifecycle.split('\n').filter((line) => line.startsWith('[')),
    [
      '[lifecycle] event loop initialised',
      '[lifecycle] cycle 1 started',
      '[message] assistant, 1 block(s)',
      '[tool] success: {"text":"49"}',
      '[message] user, 1 block(s)',
      '[lifecycle] cycle 2 started',
      '[message] assistant, 1 block(s)',
      '[lifecycle] done: end_turn; answer: The answer: 42+7 = 49',
    ],
  )
  // What reached "Bedrock": four requests, the calculator offered, its results sent back with status.
  assert.equal(server.requests.length, 4)
  const toolResult = server.requests[1]!.messages.at(-1)!.content[0]!.toolResult
  assert.deepEqual(toolResult.content, [{ text: '4' }, { json: { mode: 'evaluate', result: 4, text: '4' } }])
  assert.equal(toolResult.status, 'success')
  console.log('\nexample-bedrock: OK against the loopback Bedrock server')
} finally {
  await server.close()
}
