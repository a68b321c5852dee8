import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'

// The published package runs its worker from dist/ (compiled JavaScript), not from src/ as the other
// tests do. `turbo run test` builds first; run `pnpm build` before `vitest` by hand.
const distEntry = new URL('../dist/index.js', import.meta.url)

/** Runs a module script in a fresh Node process; resolves when it exits by itself. */
async function runScript(
  script: string,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // If a worker kept the child alive, the test times out: do not leave the child behind.
  onTestFinished(() => {
    if (child.exitCode === null) child.kill()
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
  return { exitCode, stdout, stderr }
}

describe('the built package', () => {
  it('answers from dist/ in a fresh process and lets that process exit while the worker idles', async () => {
    expect(existsSync(fileURLToPath(distEntry)), 'dist/index.js is missing: run the build first').toBe(true)
    const script = [
      `import { calculator, createCalculatorTool } from ${JSON.stringify(distEntry.href)}`,
      'const context = { signal: new AbortController().signal, toolUse: { toolUseId: "t", name: "calculator", input: {} }, agent: undefined }',
      'const answer = await calculator.invoke({ expression: "2+2" }, context)',
      // A killed worker is replaced at once; the idle replacement must not keep the process alive either.
      'const strict = createCalculatorTool({ limits: { timeoutMs: 300 } })',
      'await strict.warm()',
      'const bomb = await strict.invoke({ expression: "combinations(bignumber(10^7), bignumber(5*10^6))" }, context)',
      // A worker started ahead of time and never used must not keep it alive.
      'await createCalculatorTool().warm()',
      'console.log(JSON.stringify({ answer, bomb, workers: strict.workersStarted }))',
      // No close(): the process must end by itself.
    ].join('\n')
    const { exitCode, stdout, stderr } = await runScript(script)
    expect(stderr).toBe('')
    expect(exitCode).toBe(0)
    const output = JSON.parse(stdout)
    expect(output.answer).toEqual({
      status: 'success',
      content: [{ text: '4' }, { json: { mode: 'evaluate', result: 4, text: '4' } }],
    })
    expect(output.bomb.status).toBe('error')
    expect(output.bomb.content[0].text).toContain('took longer than 300 ms')
    expect(output.workers).toBe(2)
  })

  it('starts its worker when the tool is created, and a script that never calls it still exits', async () => {
    const script = [
      `import { createCalculatorTool } from ${JSON.stringify(distEntry.href)}`,
      'const tools = [createCalculatorTool(), createCalculatorTool()]',
      'console.log(JSON.stringify(tools.map((tool) => tool.workersStarted)))',
      // No call, no warm(), no close(): the starting workers must not hold the process.
    ].join('\n')
    const { exitCode, stdout } = await runScript(script)
    expect(exitCode).toBe(0)
    expect(JSON.parse(stdout)).toEqual([1, 1])
  })
})
