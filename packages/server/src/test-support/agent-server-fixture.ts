import { Agent, type AgentOptions } from '@agent/core'
import { onTestFinished } from 'vitest'
import { type AgentRoutesOptions, createAgentServer, type PromptRequest } from '../agent-routes.js'
import { type RunningServer, serve } from '../serve.js'
import type { ServerApp, ServerAppOptions } from '../server-app.js'
import { LoopbackModelServer } from './loopback-model-server.js'

export interface AgentServerFixture {
  app: ServerApp
  running: RunningServer
  url: string
  modelServer: LoopbackModelServer
  /** Unexpected errors the app logged. */
  logged: unknown[]
  /** Agents the factory made, in order. */
  agents: Agent[]
}

/** An agent server on a loopback port whose agents use the loopback model server; closed after the test. */
export async function startAgentServer(
  options: {
    agent?: Omit<AgentOptions, 'model'>
    routes?: Partial<AgentRoutesOptions<PromptRequest>>
    app?: ServerAppOptions
    serve?: { gracePeriodMs?: number; signals?: NodeJS.Signals[] }
  } = {},
): Promise<AgentServerFixture> {
  const modelServer = await LoopbackModelServer.start()
  const logged: unknown[] = []
  const agents: Agent[] = []
  const app = createAgentServer<PromptRequest>({
    agent: () => {
      const agent = new Agent({ callbackHandler: null, ...options.agent, model: modelServer.model() })
      agents.push(agent)
      return agent
    },
    onError: (error) => logged.push(error),
    ...options.app,
    ...options.routes,
  })
  const running = await serve(app, { port: 0, signals: [], gracePeriodMs: 100, ...options.serve })
  onTestFinished(async () => {
    await running.close()
    await modelServer.close()
  })
  return { app, running, url: running.url, modelServer, logged, agents }
}
