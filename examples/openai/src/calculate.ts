import { calculator } from '@agent/calculator'
import { Agent } from '@agent/core'
import { modelFromEnvironment } from './model-from-environment.ts'
import { runProgram } from './run-program.ts'

/** The seed's first program: stream "Calculate 2+2" and print the text as it arrives. */
export async function calculate(): Promise<void> {
  const agent = new Agent({ model: modelFromEnvironment(), tools: [calculator], callbackHandler: null })
  for await (const event of agent.stream('Calculate 2+2')) {
    if ('data' in event) process.stdout.write(event.data)
    else if (event.type === 'tool_result') {
      const text = event.tool_result.content.map((item) => ('text' in item ? item.text : '')).join('')
      process.stdout.write(`\n[calculator → ${text}]\n`)
    }
  }
  process.stdout.write('\n')
}

if (import.meta.main) await runProgram(calculate)
