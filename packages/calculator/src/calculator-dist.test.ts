import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The published package runs its worker from dist/ (compiled JavaScript), not from src/ as the other
// tests do. `turbo run test` builds first; run `pnpm build` before `vitest` by hand.
const distEntry = new URL('../dist/index.js', import.meta.url)

describe('the built package', () => {
  it('answers from dist/ in a fresh process and lets that process exit while the worker idles', async () => {
    expect(existsSync(fileURLToPath(distEntry)), 'dist/index.js is missing: run the build first').toBe(true)
    const script = [
      `import { calculator } from ${JSON.stringify(distEntry.href)}`,
      'const context = { signal: new AbortController().signal, toolUse: { toolUseId: "t", name: "calculator", input: {} }, agent: undefined }',
      'const result = await calculator.invoke({ expression: "2+2" }, context)',
      'console.log(JSON.stringify(result))',
      // No close(): the idle worker must not keep the process alive.
    ].join('\n')
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(stderr).toBe('')
    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout)).toEqual({
      status: 'success',
      content: [{ text: '4' }, { json: { mode: 'evaluate', result: 4, text: '4' } }],
    })
  })
})
