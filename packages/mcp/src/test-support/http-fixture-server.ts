import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { createMcpHttpHandler } from '../mcp-http-handler.ts'
import { createFixtureServer, type FixtureLog } from './fixture-server.ts'

/** The fixture server over Streamable HTTP on a loopback port, with switches for HTTP faults. */
export async function startHttpFixtureServer() {
  const log: FixtureLog = { cancelled: [] }
  const handler = createMcpHttpHandler(() => createFixtureServer(log, { onCrash: () => {} }))
  const faults = { failNextPosts: 0 }
  const server = createAdaptorServer({
    fetch: async (request: Request) => {
      if (request.method === 'POST' && faults.failNextPosts > 0) {
        faults.failNextPosts--
        return new Response('upstream failure', { status: 502 })
      }
      return handler.fetch(request)
    },
  }) as Server
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    log,
    faults,
    handler,
    /** Forgets every session, as a restarted server would. */
    expireSessions: () => handler.close(),
    async close() {
      await handler.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
