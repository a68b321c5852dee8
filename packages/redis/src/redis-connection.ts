import { createClient } from 'redis'

/** A node-redis client (`createClient()` from the `redis` package). */
export type RedisClient = ReturnType<typeof createClient>

/** Either a client you created (and connect and close yourself), or a URL this package connects to. */
export type RedisConnectionOptions = { client: RedisClient; url?: never } | { url: string; client?: never }

/** The client-side error the package reports when Redis cannot be used. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError'
}

/** The reconnect delay after `retries` failed attempts: 50 ms doubling up to 2 s. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 2000)
}

/**
 * Connects to `url`. The first connection fails at once with a clear error (a wrong URL or a stopped
 * Redis at startup should not hang the server); once connected, a lost connection is retried with backoff
 * and commands fail fast meanwhile instead of queueing.
 */
export async function connectRedis(url: string): Promise<RedisClient> {
  let connected = false
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries, cause) =>
        connected ? reconnectDelay(retries) : new RedisUnavailableError(startupMessage(url, cause)),
    },
  })
  // Without a listener an 'error' event would crash the process; the failing commands report it.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    throw new RedisUnavailableError(startupMessage(url, error), { cause: error })
  }
  connected = true
  return client
}

function startupMessage(url: string, cause: unknown): string {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return `Could not connect to Redis at ${redactUrl(url)}: ${reason}. Check that redis-server runs and the URL is right.`
}

/** The URL without its password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@')
}

/** What a failed Redis command was doing, and why it failed. */
export function describeRedisFailure(doing: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error)
  return `Redis failed while ${doing}: ${reason}`
}
