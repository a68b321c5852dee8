import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, expect, it } from 'vitest'

let child: ChildProcess | undefined
afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
})

/** Starts the example on a free port with the offline model; resolves with the URL it prints. */
async function startExample(): Promise<{ url: string; output: () => string }> {
  const env = {
    ...process.env,
    PORT: '0',
    OFFLINE_TOKEN_DELAY_MS: '0',
    AGENT_MODEL: '',
    OPENAI_API_KEY: '',
    AWS_ACCESS_KEY_ID: '',
    AWS_PROFILE: '',
    AWS_BEARER_TOKEN_BEDROCK: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
  }
  const started = spawn(process.execPath, ['src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  child = started
  let output = ''
  started.stderr.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    started.stdout.on('data', (chunk) => {
      output += chunk
      const match = /Playground on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)
      if (match !== null) resolve(match[1]!)
    })
    started.once('exit', (code) =>
      reject(new Error(`The example exited (${code}) before listening:\n${output}`)),
    )
  })
  return { url, output: () => output }
}

it('serves the playground page and streams "Calculate 2+2" to an answer with 4, with no key or network', async () => {
  const { url, output } = await startExample()
  expect(output()).toContain('(model: offline)')

  const page = await fetch(`${url}/`)
  expect(page.status).toBe(200)
  const html = await page.text()
  expect(html).toContain('<title>Agent playground</title>')
  expect(html).toContain('Calculate 2+2')
  expect((await fetch(`${url}/playground-assets/playground.js`)).status).toBe(200)

  const response = await fetch(`${url}/stream/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ prompt: 'Calculate 2+2' }),
  })
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const events = (await response.text())
    .split('\n\n')
    .map((frame) => /^data: (.*)$/m.exec(frame)?.[1])
    .filter((data) => data !== undefined)
    .map((data) => JSON.parse(data))
  const toolResult = events.find((event) => event.type === 'tool_result')
  expect(toolResult.tool_result).toMatchObject({
    status: 'success',
    content: [{ text: '4' }, { json: { result: 4 } }],
  })
  const result = events.at(-1)
  expect(result.type).toBe('result')
  expect(result.result.stopReason).toBe('end_turn')
  expect(result.result.message.content[0].text).toContain('2+2 = 4')

  // Graceful shutdown on SIGTERM: the process exits on its own.
  child!.kill('SIGTERM')
  const [code] = await once(child!, 'exit')
  expect(code).toBe(0)
})
