// One @agent/server replica for `replicas.mjs`: STORE=redis (sessions, locks and runs in Redis) or STORE=memory
// (the single-process defaults). Its model is scripted in-process: 500 text deltas per answer, as fast as the
// loop takes them, so that the figures are the server's and the store's. Prints `{ url }`; GET /bench/peak-rss
// answers the peak resident set size since the last call.
import './loopback-guard.mjs'
import { Agent } from '@agent/core'
import { RedisSessionManager, redisRunStore } from '@agent/redis'
import { createAgentServer } from '@agent/server'
import { serve } from '@agent/server/node'
import { z } from 'zod'

const tokens = Number(process.env.TOKENS ?? 500)
const redisUrl = process.env.REDIS_URL
const useRedis = process.env.STORE === 'redis'

const model = {
  provider: 'scripted',
  modelId: 'scripted',
  async *stream() {
    yield { messageStart: { role: 'assistant' } }
    for (let index = 0; index < tokens; index++) {
      yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'tok ' } } }
      // A real provider's tokens arrive over a socket: let other conversations run in between.
      if (index % 16 === 15) await new Promise((resolve) => setImmediate(resolve))
    }
    yield { contentBlockStop: { contentBlockIndex: 0 } }
    yield { messageStop: { stopReason: 'end_turn' } }
  },
}

const runStore = useRedis ? redisRunStore({ url: redisUrl }) : undefined
await runStore?.ready
const app = createAgentServer({
  runStore,
  maxConcurrentStreams: 5000,
  body: z.object({ prompt: z.string(), sessionId: z.string() }),
  agent: async ({ body }) => {
    if (!useRedis) return new Agent({ model, callbackHandler: null })
    const sessionManager = new RedisSessionManager({ url: redisUrl, sessionId: body.sessionId })
    const lease = await sessionManager.acquireLock()
    const agent = new Agent({ model, sessionManager, callbackHandler: null })
    lease.releaseAfterInvocation(agent)
    return agent
  },
})
let peak = 0
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 20).unref()
app.get('/bench/peak-rss', { summary: 'bench only' }, () => {
  const answer = { peakRss: Math.max(peak, process.memoryUsage().rss) }
  peak = 0
  return answer
})
const server = await serve(app, { port: 0 })
console.log(JSON.stringify({ url: server.url }))
