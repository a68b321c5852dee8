import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('prints the event stream of "Calculate 2+2", ending in a result containing 4, with no key or network', async () => {
  const env = { ...process.env, AGENT_MODEL: '', OPENAI_API_KEY: '', AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '' }
  const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], { env })
  const events = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(events[0]).toEqual({ type: 'init_event_loop', init_event_loop: true })
  expect(events.some((event) => event.type === 'tool_result' && event.tool_result.status === 'success')).toBe(
    true,
  )
  const last = events.at(-1)
  expect(last.type).toBe('result')
  expect(last.result.message.content[0].text).toContain('4')
  expect(stderr).toMatch(/offline model/)
})
