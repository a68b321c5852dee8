// Bun and Deno entry: serves the runtime handler with the runtime's own HTTP server on a free loopback
// port and prints `listening <url>`. The OpenAI-compatible server's URL is the first argument.

import { calculator } from '@agent/calculator'
import { createRuntimeHandler } from './runtime-handler.ts'

interface NativeRuntime {
  Bun?: { serve(options: object): { port: number }; argv: string[] }
  Deno?: {
    serve(options: object, handler: (request: Request) => Promise<Response>): { addr: { port: number } }
    args: string[]
  }
}

const runtime = globalThis as NativeRuntime
const baseURL = runtime.Bun?.argv.at(-1) ?? runtime.Deno?.args[0]
if (baseURL === undefined) throw new Error('Pass the OpenAI-compatible server URL.')
const handler = createRuntimeHandler(baseURL, calculator)

let port: number
if (runtime.Bun !== undefined) {
  port = runtime.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler, idleTimeout: 0 }).port
} else if (runtime.Deno !== undefined) {
  port = runtime.Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler).addr.port
} else {
  throw new Error('Run this with Bun or Deno.')
}
console.log(`listening http://127.0.0.1:${port}`)
