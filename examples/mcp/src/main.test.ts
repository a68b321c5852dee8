import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)

it('uses the MCP server over stdio and over HTTP, then exits', async () => {
  const { stdout } = await run(process.execPath, ['src/main.ts'], { timeout: 20_000 })
  expect(stdout).toMatch(/stdio: Your notes:\n1\. Buy bolts\n2\. Call the supplier\n3\. Ship the MCP example/)
  expect(stdout).toMatch(/http: Your notes:\n1\. Buy bolts\n2\. Call the supplier\n3\. Ship the MCP example/)
})
