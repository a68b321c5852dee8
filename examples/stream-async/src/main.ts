// Port of the Strands seed program: stream every event of one invocation.

import { calculator } from '@agent/calculator'
import { Agent } from '@agent/core'

const agent = new Agent({ tools: [calculator], callbackHandler: null })

async function processStreamingResponse(): Promise<void> {
  const agentStream = agent.streamAsync('Calculate 2+2')
  for await (const event of agentStream) {
    console.log(JSON.stringify(event))
  }
}

await processStreamingResponse()
