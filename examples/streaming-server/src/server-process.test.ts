import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { openAIEnvironment, startArithmeticOpenAI } from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

it('the built server answers from OpenAI when OPENAI_API_KEY and OPENAI_BASE_URL point at a loopback server', async () => {
  const model = await startArithmeticOpenAI()
  onTestFinished(() => model.close())
  const child = spawn(process.execPath, ['dist/server.js'], {
    env: { ...openAIEnvironment(model), PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  let output = ''
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /Streaming agent server on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) resolve(match[1]!)
    })
    child.once('exit', (code) =>
      reject(new Error(`The server exited (${code}) before listening:\n${output}`)),
    )
  })

  const response = await fetch(`${url}/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Calculate 2+2' }),
  })
  expect(await response.text()).toBe('2+2 = 4')
  // Both tools are offered to the model; the calculator's result went back to it.
  const [first, second] = model.requests.map((request) => request.body as Record<string, any>)
  expect(first!.tools.map((tool: any) => tool.function.name)).toEqual(['calculator', 'http_request'])
  expect(second!.messages.at(-1)).toMatchObject({ role: 'tool' })

  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  expect(code).toBe(0)
})
