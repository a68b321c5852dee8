// Run as a child process: `node stdio-fixture-server.ts`. Exits when its stdin closes.
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio'
import { createFixtureServer } from './fixture-server.ts'

const server = createFixtureServer({ cancelled: [] })
await server.connect(new StdioServerTransport())
process.stdin.on('end', () => process.exit(0))
process.stderr.write('fixture: ready\n')
