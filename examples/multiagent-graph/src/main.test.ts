import { fileURLToPath } from 'node:url'
import {
  openAIEnvironment,
  runExample,
  startArithmeticOpenAI,
  withoutProviders,
} from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

const script = fileURLToPath(new URL('./main.ts', import.meta.url))

it('runs the two branches at once, then the writer, then the function node, with no key or network', async () => {
  const { code, stdout, stderr } = await runExample(script, { env: withoutProviders() })
  expect(code, stderr).toBe(0)
  expect(stderr).toMatch(/SCRIPTED demo models/)
  const lines = stdout.trim().split('\n')
  const marks = lines.filter((line) => line.startsWith('▶') || line.startsWith('■'))
  // Both branches start before either finishes.
  expect(marks.slice(0, 2).sort()).toEqual(['▶ history started', '▶ science started'])
  expect(marks.slice(4)).toEqual([
    '▶ writer started',
    '■ writer completed',
    '▶ check_length started',
    '■ check_length completed: {"words":15,"short":true}',
  ])
  // Their words interleave.
  const branchLines = lines.filter((line) => line.startsWith('  [science]') || line.startsWith('  [history]'))
  expect(branchLines.length).toBeGreaterThan(2)
  expect(lines.at(-1)).toMatch(
    /^status: completed; finished: (science, history|history, science), writer, check_length; tokens: 45$/,
  )
})

it('runs on a provider from the environment (the openai client against a loopback server)', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { code, stdout, stderr } = await runExample(script, { env: openAIEnvironment(server) })
  expect(code, stderr).toBe(0)
  expect(stderr).not.toMatch(/SCRIPTED/)
  expect(stdout).toContain('  [writer] This loopback model only does arithmetic')
  expect(stdout.trim().split('\n').at(-1)).toMatch(
    /^status: completed; finished: .*writer, check_length; tokens: 84$/,
  )
  expect(server.requests).toHaveLength(3)
})
