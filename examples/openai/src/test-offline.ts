import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startLoopbackOpenAIServer } from './loopback-openai-server.ts'

/**
 * Runs the example (`main.ts`) against the loopback OpenAI-compatible server, as CI does, and checks
 * both what it printed and what the server received.
 */
const server = await startLoopbackOpenAIServer()
try {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENAI_API_KEY: 'loopback-key',
    OPENAI_BASE_URL: server.baseURL,
    OPENAI_MODEL: 'loopback-model',
  }
  delete env.AGENT_MODEL
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  // A guard, not a speed check: a hung example must fail the test instead of hanging CI.
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((resolve) =>
    child.on('close', (exitCode) => resolve(exitCode)),
  )
  clearTimeout(guard)

  assert.equal(code, 0, `the example exited with ${code}.\nstdout:\n${stdout}\nstderr:\n${stderr}`)
  assert.match(stdout, /--- Calculate 2\+2 ---\n+\[calculator → 4\]\n2 \+ 2 = 4\.\n/)
  assert.match(stdout, /🔄 Event loop initialized\n▶️ Event loop cycle 1 starting\n/)
  assert.match(stdout, /🔧 Using tool: calculator \(input so far: \{"expression":"42\+7"\}\)/)
  assert.match(stdout, /▶️ Event loop cycle 2 starting/)
  assert.match(stdout, /📟 Text: Paris, /)
  assert.match(stdout, /✅ Done: end_turn/)

  assert.equal(server.requests.length, 4, 'two model calls per program')
  const toolMessages = server.requests.flatMap((request) =>
    request.messages.filter((message) => message.role === 'tool'),
  )
  assert.deepEqual(
    toolMessages.map((message) => [message.tool_call_id, String(message.content).split('\n')[0]]),
    [
      ['call_loopback_1', '4'],
      ['call_loopback_3', '49'],
    ],
  )
  assert.ok(server.requests.every((request) => Array.isArray(request.tools) && request.tools.length === 1))
  console.log('example-openai: offline run against the loopback server passed')
} finally {
  await server.close()
}
