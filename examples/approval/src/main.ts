// A tool that deletes a file, but only after a person says yes in the terminal. The question is part of the
// session: stop the program while it asks, run it again, and it asks the same question before anything else.

import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { Agent, type Interrupt, type InterruptResponseContent, type JsonValue, tool } from '@agent/core'
import { FileSessionManager } from '@agent/core/file-session'
import { z } from 'zod'

// The folder whose files the agent may delete; the session is kept next to them.
const folder = resolve(process.argv[2] || join(tmpdir(), 'agent-example-approval'))
const prompt = process.argv[3] ?? 'Delete notes.txt'

const deleteFile = tool({
  name: 'delete_file',
  description: 'Deletes one file in the working folder. A person approves each call.',
  inputSchema: z.object({ path: z.string().describe('The file, relative to the working folder') }),
  needsApproval: true,
  callback: async ({ path }) => {
    // The model's input is untrusted: nothing outside the folder, and never the session itself.
    const target = resolve(folder, path)
    const inside = relative(folder, target)
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.startsWith('.sessions')) {
      throw new Error(`${path} is not a file in the working folder`)
    }
    await rm(target)
    return `Deleted ${path}.`
  },
})

const agent = new Agent({
  tools: [deleteFile],
  sessionManager: new FileSessionManager({ sessionId: 'approval', directory: join(folder, '.sessions') }),
  maxCycles: 6,
  callbackHandler: null,
})

const terminal = createInterface({ input: process.stdin })
const lines = terminal[Symbol.asyncIterator]()
/** One line from the person; the end of the input counts as an empty answer. */
async function ask(question: string): Promise<string> {
  process.stdout.write(question)
  const line = await lines.next()
  return line.done ? '' : line.value.trim()
}

/** Asks the person about every pending interrupt and returns the responses that resume the run. */
async function answer(interrupts: readonly Interrupt[]): Promise<InterruptResponseContent[]> {
  const responses: InterruptResponseContent[] = []
  for (const interrupt of interrupts) {
    const { tool: name, input } = interrupt.reason as { tool: string; input: unknown }
    const yes = /^y(es)?$/i.test(
      await ask(`The agent wants to run ${name} ${JSON.stringify(input)}. Approve? [y/N] `),
    )
    const response: JsonValue = yes
      ? { approved: true }
      : { approved: false, reason: (await ask('Why not? ')) || 'no reason given' }
    responses.push({ interruptResponse: { interruptId: interrupt.id, response } })
  }
  return responses
}

await agent.restoreSession()
if (agent.interrupts.length > 0) console.log('A question from the last run is still waiting:')
let result = await agent.invoke(agent.interrupts.length > 0 ? await answer(agent.interrupts) : prompt)
while (result.stopReason === 'interrupt') result = await agent.invoke(await answer(result.interrupts ?? []))
console.log(`Answer: ${String(result)}`)
terminal.close()
