// Port of the Strands seed program: a callback handler that narrates the event loop's lifecycle.

import { calculator } from '@agent/calculator'
import { Agent, type AgentEvent } from '@agent/core'

function eventLoopTracker(event: AgentEvent): void {
  if ('init_event_loop' in event) console.log('🔄 Event loop initialized')
  else if ('start_event_loop' in event) console.log('▶️ Event loop cycle starting')
  else if ('message' in event) console.log(`📬 New message created: ${event.message.role}`)
  else if ('result' in event) console.log('✅ Event loop completed')
  else if ('force_stop' in event) console.log(`🛑 Event loop force-stopped: ${event.force_stop_reason}`)

  if ('current_tool_use' in event && event.current_tool_use.name) {
    console.log(`🔧 Using tool: ${event.current_tool_use.name}`)
  }
  if ('data' in event) {
    const snippet = event.data.slice(0, 20) + (event.data.length > 20 ? '...' : '')
    console.log(`📟 Text: ${snippet}`)
  }
}

const agent = new Agent({ tools: [calculator], callbackHandler: eventLoopTracker })
await agent.invoke('What is the capital of France and what is 42+7?')
