// One @agent/server replica on a shared Redis, as a child process of the tests. Its model is a provider on a
// loopback port in this process that streams `TOKENS` words, `TOKEN_DELAY_MS` apart; every model request's
// end ("finished" or "closed-by-client") is printed as a JSON line, so that a test sees a cancelled request
// where it matters, on the provider's side of the socket.
import { createServer } from 'node:http'
import { AbortError, Agent } from '@agent/core'
import { createAgentServer } from '@agent/server'
import { serve } from '@agent/server/node'
import { z } from 'zod'
import { RedisSessionManager, redisRunStore } from '../../dist/index.js'

const redisUrl = process.env.REDIS_URL
const leaseMs = Number(process.env.LEASE_MS ?? 1000)
const tokens = Number(process.env.TOKENS ?? 50)
const tokenDelayMs = Number(process.env.TOKEN_DELAY_MS ?? 20)
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)

const provider = createServer(async (request, response) => {
  for await (const _ of request);
  response.on('close', () =>
    print({ modelRequest: response.writableFinished ? 'finished' : 'closed-by-client' }),
  )
  print({ modelRequest: 'started' })
  response.writeHead(200, { 'content-type': 'application/x-ndjson' })
  response.write(`${JSON.stringify({ messageStart: { role: 'assistant' } })}\n`)
  for (let index = 0; index < tokens && !response.destroyed; index++) {
    response.write(
      `${JSON.stringify({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: `w${index} ` } } })}\n`,
    )
    if (tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs))
  }
  if (response.destroyed) return
  response.write(`${JSON.stringify({ contentBlockStop: { contentBlockIndex: 0 } })}\n`)
  response.write(`${JSON.stringify({ messageStop: { stopReason: 'end_turn' } })}\n`)
  response.end()
})
await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve))
const providerUrl = `http://127.0.0.1:${provider.address().port}/`

/** A model that streams NDJSON events from the loopback provider; an abort closes its HTTP request. */
const model = {
  provider: 'loopback',
  modelId: 'loopback',
  async *stream(request) {
    const signal = request.signal
    try {
      const response = await fetch(providerUrl, { method: 'POST', body: '{}', signal })
      const decoder = new TextDecoder()
      let buffered = ''
      for await (const bytes of response.body) {
        buffered += decoder.decode(bytes, { stream: true })
        let newline = buffered.indexOf('\n')
        while (newline >= 0) {
          yield JSON.parse(buffered.slice(0, newline))
          buffered = buffered.slice(newline + 1)
          newline = buffered.indexOf('\n')
        }
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortError('The model request was aborted.', { cause: error })
      throw error
    }
  },
}

const runStore = redisRunStore({ url: redisUrl, leaseMs })
try {
  await runStore.ready
} catch (error) {
  print({ startupError: error.message })
  process.exit(3)
}
const app = createAgentServer({
  runStore,
  reconnectGraceMs: Number(process.env.GRACE_MS ?? 5000),
  body: z.object({ prompt: z.string(), sessionId: z.string() }),
  agent: async ({ body }) => {
    const session = new RedisSessionManager({ url: redisUrl, sessionId: body.sessionId })
    const lease = await session.acquireLock({ leaseMs, waitMs: Number(process.env.LOCK_WAIT_MS ?? 0) })
    const agent = new Agent({ model, sessionManager: session, callbackHandler: null })
    lease.releaseAfterInvocation(agent)
    return agent
  },
})
const server = await serve(app, { port: 0 })
print({ url: server.url })
