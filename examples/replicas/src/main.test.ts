import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

it('resumes on replica B a stream started on replica A, without gap or repeat', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [new URL('./main.ts', import.meta.url).pathname],
    {
      timeout: 25_000,
    },
  )
  expect(stdout).toMatch(/A sent 8 events, then the connection dropped/)
  expect(stdout).toMatch(/B resumed with \d+ more events, ending with "result"/)
  expect(stdout).toMatch(/without gap or repeat/)
})
