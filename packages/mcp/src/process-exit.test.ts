import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { startHttpFixtureServer } from './test-support/http-fixture-server.ts'

it('a process with open clients (stdio and HTTP) exits when its work is done, and takes the server child with it', async () => {
  const fixture = await startHttpFixtureServer()
  try {
    const script = fileURLToPath(new URL('./test-support/open-client-script.ts', import.meta.url))
    const child = spawn(process.execPath, [script, fixture.url], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const deadline = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref())
    const outcome = await Promise.race([exit, deadline])
    if (outcome === 'hung') child.kill('SIGKILL')
    expect(outcome).toBe(0)
    expect(output).toMatch(/^listed \d+ \d+/)
  } finally {
    await fixture.close()
  }
})
