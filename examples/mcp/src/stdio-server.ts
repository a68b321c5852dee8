// The example's MCP server over stdio: the agent in main.ts starts it as a child process.
import { serveMcp } from '@agent/mcp'
import { notesTools } from './notes-tools.ts'

await serveMcp(notesTools, { name: 'notes' }).serveStdio()
process.stdin.on('end', () => process.exit(0))
