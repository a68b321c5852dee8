import { connectRedis, type RedisClient, type RedisConnectionOptions } from './redis-connection.js'

// One connection per URL per process: a session manager is made per request, and must not open a socket each time.
const byUrl = new Map<string, Promise<RedisClient>>()

/** The client for these options: the given one, or the process's shared connection to the URL. */
export function clientFor(options: RedisConnectionOptions): Promise<RedisClient> {
  if (options.client !== undefined) return Promise.resolve(options.client)
  let client = byUrl.get(options.url)
  if (client === undefined) {
    client = connectRedis(options.url)
    byUrl.set(options.url, client)
    // A failed first connection is not cached: the next request tries again.
    client.catch(() => byUrl.delete(options.url))
  }
  return client
}

/** Closes the shared connections this package opened from URLs (at shutdown, and in tests). */
export async function closeSharedRedisClients(): Promise<void> {
  const clients = [...byUrl.values()]
  byUrl.clear()
  await Promise.all(clients.map(async (client) => (await client.catch(() => undefined))?.close()))
}
