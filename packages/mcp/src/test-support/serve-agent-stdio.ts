// Run as a child process: serves a scripted agent over this process's stdin/stdout with serveMcp.
import { Agent } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { serveMcp } from '../../dist/index.js'

const agent = new Agent({
  name: 'oracle',
  description: 'Answers one question',
  model: new ScriptedModel([{ content: [{ text: 'Forty-two, over stdio' }] }]),
  callbackHandler: null,
})
await serveMcp(agent).serveStdio()
process.stdin.on('end', () => process.exit(0))
