import type { Agent } from '@agent/core'
import { type AgentRoutesOptions, createAgentServer, type PromptRequest } from '../../agent-routes.js'
import type { PlaygroundOptions } from '../../playground/mount-playground.js'
import { serve } from '../../serve.js'
import type { ServerApp, ServerAppOptions } from '../../server-app.js'
import { LoopbackModelServer } from '../../test-support/loopback-model-server.js'

export interface PlaygroundServer {
  url: string
  app: ServerApp
  /** The model provider the agents may use; it records requests closed by the client. */
  modelServer: LoopbackModelServer
  /** Agents the factory made, in order. */
  agents: Agent[]
  /** Errors the app logged. */
  logged: unknown[]
  close(): Promise<void>
}

/** `createAgentServer({ playground })` on a loopback port, as the example runs it. */
export async function startPlaygroundServer(options: {
  agent: (modelServer: LoopbackModelServer) => Agent
  app?: ServerAppOptions
  routes?: Partial<AgentRoutesOptions<PromptRequest>>
  playground?: PlaygroundOptions
}): Promise<PlaygroundServer> {
  const modelServer = await LoopbackModelServer.start()
  const agents: Agent[] = []
  const logged: unknown[] = []
  const app = createAgentServer<PromptRequest>({
    agent: () => {
      const agent = options.agent(modelServer)
      agents.push(agent)
      return agent
    },
    onError: (error) => logged.push(error),
    playground: options.playground ?? true,
    ...options.app,
    ...options.routes,
  })
  const running = await serve(app, { port: 0, signals: [], gracePeriodMs: 0 })
  return {
    url: running.url,
    app,
    modelServer,
    agents,
    logged,
    async close() {
      await running.close()
      await modelServer.close()
    },
  }
}
