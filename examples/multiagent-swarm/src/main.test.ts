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

it('hands the task from the researcher to the writer to the editor, with no key or network', async () => {
  const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], { env: noProvider })
  expect(stderr).toMatch(/SCRIPTED demo models/)
  const lines = stdout.trim().split('\n')
  expect(lines.filter((line) => line.startsWith('['))).toEqual([
    '[researcher] Handing over to writer.',
    '[writer] Handing over to editor.',
    expect.stringMatching(/^\[editor\] Sunlight holds every colour/),
  ])
  expect(lines).toContain('  → handoff researcher → writer: Write the note from these facts.')
  expect(lines.find((line) => line.startsWith('status:'))).toMatch(
    /^status: completed; agents: researcher → writer → editor; tokens: 45; \d+ ms$/,
  )
  expect(lines.at(-1)).toMatch(/^answer: Sunlight holds every colour/)
})
