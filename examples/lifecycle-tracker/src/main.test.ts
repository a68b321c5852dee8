import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('narrates the lifecycle of a tool-using invocation', async () => {
  const env = { ...process.env, AGENT_MODEL: '', OPENAI_API_KEY: '', AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '' }
  const { stdout } = await run(process.execPath, ['src/main.ts'], { env })
  const lines = stdout.trim().split('\n')
  expect(lines[0]).toBe('🔄 Event loop initialized')
  expect(lines.filter((line) => line === '▶️ Event loop cycle starting')).toHaveLength(2)
  expect(lines).toContain('🔧 Using tool: calculator')
  expect(lines).toContain('📬 New message created: assistant')
  expect(lines).toContain('📬 New message created: user')
  expect(lines.some((line) => line.startsWith('📟 Text: '))).toBe(true)
  expect(lines.at(-1)).toBe('✅ Event loop completed')
  expect(stdout).toContain('49')
})
