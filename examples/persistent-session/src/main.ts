// An agent that remembers: run it twice and the second run continues the first run's conversation.

import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculator } from '@agent/calculator'
import { AfterToolCallEvent, Agent, BeforeToolCallEvent } from '@agent/core'
import { FileSessionManager } from '@agent/core/file-session'

// Run data goes to the OS temp folder unless a folder is given, so that the work tree stays clean.
const directory = process.argv[2] || join(tmpdir(), 'agent-example-persistent-session')
const prompt = process.argv[3] ?? 'What is 42+7?'

const agent = new Agent({
  tools: [calculator],
  sessionManager: new FileSessionManager({ sessionId: 'demo', directory }),
  maxCycles: 5,
  maxTokens: { total: 20_000 },
  callbackHandler: null,
})

// Hooks: narrate every tool call and refuse divisions by zero before they run.
agent.hooks.add(BeforeToolCallEvent, (event) => {
  const { expression } = event.toolUse.input as { expression?: string }
  if (expression !== undefined && /\/\s*0(?![\d.])/.test(expression))
    event.cancel = 'division by zero is not allowed'
  console.log(`→ ${event.toolUse.name} ${JSON.stringify(event.toolUse.input)}`)
})
agent.hooks.add(AfterToolCallEvent, (event) => {
  console.log(`← ${event.toolUse.name} ${event.result.status}`)
})

await agent.restoreSession()
const run = (agent.state.get<number>('runs') ?? 0) + 1
agent.state.set('runs', run)
console.log(`Run #${run}: restored ${agent.messages.length} messages from ${join(directory, 'demo.json')}`)

const result = await agent.invoke(prompt)
console.log(`Answer: ${String(result)}`)
console.log(result.metrics.summary())
