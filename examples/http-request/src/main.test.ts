import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('fetches the local page as Markdown under the operator policy and is refused by the default one', async () => {
  const { stdout } = await run(process.execPath, ['src/main.ts'])
  expect(stdout).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/inventory -> success/)
  expect(stdout).toContain('# Stock\n\n| Item | Count |\n| --- | --- |\n| Bolts | 40 |')
  expect(stdout).toContain('"title":"Inventory"')
  expect(stdout).not.toContain('track()')
  expect(stdout).toContain('GET http://169.254.169.254/latest/meta-data/iam/ -> error')
  expect(stdout).toContain('it is a cloud-metadata address')
  expect(stdout).toMatch(/Refused to connect to 127\.0\.0\.1: it is a loopback address/)
})
