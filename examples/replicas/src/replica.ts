// One stateless replica: sessions, locks and run events all live in Redis, so any replica serves any request.
import { Agent, OfflineModel } from '@agent/core'
import { RedisSessionManager, redisRunStore } from '@agent/redis'
import { createAgentServer } from '@agent/server'
import { serve } from '@agent/server/node'
import { z } from 'zod'

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const runStore = redisRunStore({ url, leaseMs: 2000 })
try {
  await runStore.ready
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}

const app = createAgentServer({
  runStore,
  reconnectGraceMs: 5000,
  body: z.object({ prompt: z.string(), sessionId: z.string() }),
  agent: async ({ body }) => {
    const sessionManager = new RedisSessionManager({ url, sessionId: body.sessionId, ttlSeconds: 3600 })
    const lease = await sessionManager.acquireLock({ leaseMs: 2000 })
    // The offline model needs no API key; its tokens come 40 ms apart so that the hand-over is visible.
    const agent = new Agent({
      model: new OfflineModel({ tokenDelayMs: 40 }),
      sessionManager,
      callbackHandler: null,
    })
    lease.releaseAfterInvocation(agent)
    return agent
  },
})
const server = await serve(app, { port: Number(process.env.PORT ?? 0) })
console.log(JSON.stringify({ replica: process.env.NAME ?? 'replica', url: server.url }))
