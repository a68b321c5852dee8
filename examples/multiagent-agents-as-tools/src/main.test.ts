import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const noProvider = {
  ...process.env,
  AGENT_MODEL: '',
  OPENAI_API_KEY: '',
  AWS_ACCESS_KEY_ID: '',
  AWS_PROFILE: '',
}

it("prints the sub-agents' text live, between the orchestrator's tool calls, with no key or network", async () => {
  const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], { env: noProvider })
  expect(stderr).toMatch(/SCRIPTED demo models/)
  const lines = stdout.trim().split('\n')
  expect(lines.map((line) => line.slice(0, line.indexOf(']') + 1))).toEqual([
    '[researcher]',
    '[orchestrator]',
    '[writer]',
    '[orchestrator]',
  ])
  expect(lines[0]).toContain('Air molecules scatter blue light most.')
  expect(lines[3]).toContain('Here it is:')
})
