// Uses a client over stdio and over HTTP and never closes them: the process must still exit on its own.
import { fileURLToPath } from 'node:url'
import { McpClient } from '../../dist/index.js'

const server = fileURLToPath(new URL('./stdio-fixture-server.ts', import.meta.url))
const stdio = new McpClient({ transport: { command: process.execPath, args: [server], stderr: 'ignore' } })
const tools = await stdio.loadTools(new AbortController().signal)
const url = process.argv[2]
let httpCount = 0
if (url !== undefined) {
  const http = new McpClient({ transport: { url } })
  httpCount = (await http.loadTools(new AbortController().signal)).length
}
process.stdout.write(`listed ${tools.length} ${httpCount}\n`)
