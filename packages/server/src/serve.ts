import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer, getRequestListener } from '@hono/node-server'

/** Anything with a web-standard `fetch` handler: a `ServerApp`, a Hono app, … */
export interface FetchApp {
  fetch: (request: Request, ...rest: any[]) => Response | Promise<Response>
  /** A `ServerApp` drains its streams at shutdown; other apps just get their connections closed. */
  shutdown?: (options: { gracePeriodMs?: number }) => Promise<void>
}

export interface ServeOptions {
  /** Default 8000 (FastAPI's uvicorn default); 0 picks a free port. */
  port?: number
  /** Default `127.0.0.1`; use `0.0.0.0` to listen on every interface. */
  hostname?: string
  /** At shutdown, how long open streams may take to finish before they are stopped. Default 10 000 ms. */
  gracePeriodMs?: number
  /** Signals that start a graceful shutdown. Default `['SIGTERM', 'SIGINT']`; `[]` for none. */
  signals?: NodeJS.Signals[]
  /** Called once listening. */
  onListen?: (info: { port: number; hostname: string; url: string }) => void
}

export interface RunningServer {
  server: Server
  port: number
  url: string
  /** Stops accepting connections, lets streams finish within the grace period, stops the rest, closes. */
  close(): Promise<void>
  /** Resolves once the server is fully closed. */
  closed: Promise<void>
}

/**
 * Serves an app on Node's `http` server. SIGTERM (or `close()`) stops accepting new connections,
 * answers new requests on open connections with 503, lets streams finish within `gracePeriodMs`,
 * then aborts them (agent runs end with an error frame) and closes every connection.
 */
export async function serve(app: FetchApp, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  const server = createAdaptorServer({ fetch: app.fetch, hostname }) as Server
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 8000, hostname, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`

  let resolveClosed!: () => void
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve
  })
  let closing: Promise<void> | undefined
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const onSignal = () => {
    void close()
  }
  for (const signal of signals) process.once(signal, onSignal)

  function close(): Promise<void> {
    closing ??= (async () => {
      for (const signal of signals) process.off(signal, onSignal)
      const gracePeriodMs = options.gracePeriodMs ?? 10_000
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Keep-alive connections with no request in flight are closed now; busy ones finish first.
      server.closeIdleConnections()
      if (app.shutdown !== undefined) {
        await app.shutdown({ gracePeriodMs })
      } else {
        await waitAtMost(serverClosed, gracePeriodMs)
      }
      // Streams stopped at the end of the grace period write their last frame, then the rest is cut.
      await waitAtMost(serverClosed, 1000)
      server.closeAllConnections()
      await serverClosed
      resolveClosed()
    })()
    return closing
  }

  options.onListen?.({ port, hostname, url })
  return { server, port, url, close, closed }
}

/**
 * A Node request listener for an app: `http.createServer(toNodeListener(app))`, or mount it in Express with
 * `expressApp.use('/agent', toNodeListener(app))` (before any body parser, which would consume the body).
 */
export function toNodeListener(app: FetchApp): (request: IncomingMessage, response: ServerResponse) => void {
  const listener = getRequestListener(app.fetch)
  return (request, response) => {
    void listener(request, response)
  }
}

async function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}
