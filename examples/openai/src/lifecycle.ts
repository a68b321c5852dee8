import { calculator } from '@agent/calculator'
import { Agent, type AgentEvent } from '@agent/core'
import { modelFromEnvironment } from './model-from-environment.ts'
import { runProgram } from './run-program.ts'

/** The seed's lifecycle program: print each stage of the event loop as it happens. */
export async function lifecycle(): Promise<void> {
  const agent = new Agent({ model: modelFromEnvironment(), tools: [calculator], callbackHandler: null })
  for await (const event of agent.stream('What is the capital of France and what is 42+7?')) {
    processEvent(event)
  }
}

function processEvent(event: AgentEvent): void {
  if ('init_event_loop' in event) console.log('🔄 Event loop initialized')
  else if ('start_event_loop' in event) console.log(`▶️ Event loop cycle ${event.cycle} starting`)
  else if ('message' in event) console.log(`📬 New message created: ${event.message.role}`)
  else if ('result' in event) console.log(`✅ Done: ${event.result.stopReason}`)
  else if ('force_stop' in event) console.log(`🛑 Event loop force-stopped: ${event.force_stop_reason}`)
  if ('current_tool_use' in event && event.current_tool_use.name) {
    console.log(
      `🔧 Using tool: ${event.current_tool_use.name} (input so far: ${event.current_tool_use.input})`,
    )
  }
  if ('data' in event) {
    const snippet = event.data.length > 20 ? `${event.data.slice(0, 20)}...` : event.data
    console.log(`📟 Text: ${snippet}`)
  }
}

if (import.meta.main) await runProgram(lifecycle)
