// The HTTP surface of the served runtimes (Bun, Deno, workerd), around @agent/server's fetch handler.

import { Agent, type Tool } from '@agent/core'
import { createAgentServer } from '@agent/server'
import { offlineDemo, openAIModel, openAIToolTurn, weatherTool } from './scenarios.ts'

/**
 * The HTTP surface every served runtime exposes: `/offline` and `/openai` run the two scenarios and
 * answer JSON; everything else is @agent/server's `fetch` handler (`/stream`, `/stream/events`, …).
 */
export function createRuntimeHandler(
  baseURL: string,
  calculator: Tool,
): (request: Request) => Promise<Response> {
  const server = createAgentServer({
    // workerd notices a client that went away only when it next writes: ping often, so it notices fast.
    pingIntervalMs: 250,
    agent: () => new Agent({ model: openAIModel(baseURL), tools: [weatherTool], callbackHandler: null }),
  })
  return async (request) => {
    const path = new URL(request.url).pathname
    if (path === '/offline') return Response.json(await offlineDemo(calculator))
    if (path === '/openai') return Response.json(await openAIToolTurn(baseURL))
    return server.fetch(request)
  }
}
