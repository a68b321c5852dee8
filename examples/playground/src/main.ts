// The browser playground: an agent server with the playground page at `/`. Open the printed URL and watch
// the agent stream its answer, call tools, and report its cycles and metrics; Stop aborts the run.

import { calculator } from '@agent/calculator'
import { Agent, OfflineModel, resolveModel } from '@agent/core'
import { createAgentServer } from '@agent/server'
import { serve } from '@agent/server/node'

// The model comes from the environment (AGENT_MODEL, OPENAI_API_KEY or AWS credentials). With none, the
// offline model answers arithmetic only; it streams a token every 40 ms here so that the page can be watched.
const configured = await resolveModel(undefined)
const model =
  configured instanceof OfflineModel
    ? new OfflineModel({ tokenDelayMs: Number(process.env.OFFLINE_TOKEN_DELAY_MS ?? 40) })
    : configured

const app = createAgentServer({
  title: 'Agent playground',
  // One agent per request: prompts never share a conversation.
  agent: () => new Agent({ model, tools: [calculator], callbackHandler: null }),
  playground: { examplePrompts: ['Calculate 2+2', 'What is (17*3)-4?', 'Calculate 10/4 and 6*7'] },
})

await serve(app, {
  port: Number(process.env.PORT ?? 8000),
  hostname: process.env.HOST ?? '127.0.0.1',
  onListen: ({ url }) => console.log(`Playground on ${url}/ (model: ${modelName(model)}). Ctrl+C stops.`),
})

function modelName(value: object): string {
  return 'modelId' in value ? String(value.modelId) : value.constructor.name
}
