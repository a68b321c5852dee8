import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { openAIEnvironment, startArithmeticOpenAI, withoutProviders } from '@agent/loopback-providers'
import { afterEach, expect, it, onTestFinished } from 'vitest'

let child: ChildProcess | undefined
afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGKILL')
    await once(child, 'exit')
  }
})

/** Starts the example on a free port (the offline model unless `environment` configures one); resolves with the URL it prints. */
async function startExample(
  environment: NodeJS.ProcessEnv = withoutProviders(),
): Promise<{ url: string; output: () => string }> {
  const env = { ...environment, PORT: '0', OFFLINE_TOKEN_DELAY_MS: '0' }
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

  const events = await streamEvents(url, 'Calculate 2+2')
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

it('streams the answer from OpenAI when OPENAI_API_KEY and OPENAI_BASE_URL point at a loopback server', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { url, output } = await startExample(openAIEnvironment(server))
  expect(output()).toContain('(model: gpt-4.1-mini)')
  const events = await streamEvents(url, 'Calculate 2+2')
  expect(events.find((event) => event.type === 'tool_result').tool_result.status).toBe('success')
  expect(events.at(-1).result.message.content[0].text).toBe('2+2 = 4')
  expect(server.requests).toHaveLength(2)
})

/** POSTs a prompt to `/stream/events` and returns the JSON events of the SSE answer. */
async function streamEvents(url: string, prompt: string): Promise<any[]> {
  const response = await fetch(`${url}/stream/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ prompt }),
  })
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
  return (await response.text())
    .split('\n\n')
    .map((frame) => /^data: (.*)$/m.exec(frame)?.[1])
    .filter((data) => data !== undefined)
    .map((data) => JSON.parse(data))
}
