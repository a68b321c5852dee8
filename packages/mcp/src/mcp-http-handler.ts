import { randomUUID } from 'node:crypto'
import {
  type McpServer,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server'

/** A web-standard `fetch` handler serving MCP over Streamable HTTP, one session per client. */
export interface McpHttpHandler {
  fetch(request: Request): Promise<Response>
  /** Ends every session. */
  close(): Promise<void>
  /** Open sessions. */
  readonly sessionCount: number
}

export interface McpHttpHandlerOptions {
  /** Sessions held at once; a new client beyond this gets HTTP 503. Default 100. */
  maxSessions?: number
  /** A session unused this long is ended (its client re-initialises on HTTP 404). Default 30 minutes. */
  idleSessionMs?: number
}

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport
  lastUsed: number
}

/**
 * Routes each request to its session's transport by the `Mcp-Session-Id` header and starts a session (a
 * new server from `createServer`) on `initialize`; an unknown session answers 404, which tells a client to
 * initialise again.
 */
export function createMcpHttpHandler(
  createServer: () => McpServer | Server,
  options: McpHttpHandlerOptions = {},
): McpHttpHandler {
  const sessions = new Map<string, Session>()
  const maxSessions = options.maxSessions ?? 100
  const idleSessionMs = options.idleSessionMs ?? 30 * 60_000

  function endIdleSessions(now: number): void {
    for (const [id, session] of sessions) {
      if (now - session.lastUsed > idleSessionMs) {
        sessions.delete(id)
        void session.transport.close()
      }
    }
  }

  return {
    get sessionCount() {
      return sessions.size
    },
    async fetch(request) {
      const now = Date.now()
      endIdleSessions(now)
      const id = request.headers.get('mcp-session-id')
      if (id !== null) {
        const session = sessions.get(id)
        if (session === undefined) return jsonRpcError(404, -32001, 'Session not found')
        session.lastUsed = now
        return session.transport.handleRequest(request)
      }
      if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad request: no session')
      if (sessions.size >= maxSessions) return jsonRpcError(503, -32000, 'Too many sessions')
      const transport: WebStandardStreamableHTTPServerTransport =
        new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sessionId) => {
            sessions.set(sessionId, { transport, lastUsed: Date.now() })
          },
        })
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
      }
      await createServer().connect(transport)
      const response = await transport.handleRequest(request)
      // Not an initialize request: nothing to keep.
      if (transport.sessionId === undefined) await transport.close()
      return response
    },
    async close() {
      const open = [...sessions.values()]
      sessions.clear()
      await Promise.allSettled(open.map((session) => session.transport.close()))
    },
  }
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status })
}
