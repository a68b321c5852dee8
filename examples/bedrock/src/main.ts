// The seed programs on Amazon Bedrock. Configured from the usual AWS environment: credentials
// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK), AWS_REGION,
// BEDROCK_MODEL_ID, and AWS_ENDPOINT_URL_BEDROCK_RUNTIME for another endpoint.
import { BedrockModel } from '@agent/bedrock'
import { calculator } from '@agent/calculator'
import { Agent, defaultBedrockModelId } from '@agent/core'

const model = new BedrockModel({
  modelId: process.env.BEDROCK_MODEL_ID || defaultBedrockModelId,
  maxTokens: 1024,
})

// Program 1: "Calculate 2+2", printed as it streams by the default callback handler.
const agent = new Agent({ model, tools: [calculator] })
const result = await agent.invoke('Calculate 2+2')
console.log(`\n[result] stop reason: ${result.stopReason}`)

// Program 2: the same kind of question, watching the event loop's lifecycle events.
const watcher = new Agent({ model, tools: [calculator], callbackHandler: null })
for await (const event of watcher.stream('What is 42+7?')) {
  if ('init_event_loop' in event) console.log('[lifecycle] event loop initialised')
  else if ('start_event_loop' in event) console.log(`[lifecycle] cycle ${event.cycle} started`)
  else if ('current_tool_use' in event) continue
  else if ('tool_result' in event)
    console.log(`[tool] ${event.tool_result.status}: ${JSON.stringify(event.tool_result.content[0])}`)
  else if ('message' in event)
    console.log(`[message] ${event.message.role}, ${event.message.content.length} block(s)`)
  else if ('result' in event)
    console.log(`[lifecycle] done: ${event.result.stopReason}; answer: ${String(event.result)}`)
  else if ('force_stop' in event) console.log(`[lifecycle] stopped: ${event.force_stop_reason}`)
}
model.destroy()
