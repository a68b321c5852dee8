export {
  connectRedis,
  type RedisClient,
  type RedisConnectionOptions,
  RedisUnavailableError,
} from './redis-connection.js'
export { RedisRunStore, type RedisRunStoreOptions, redisRunStore } from './redis-run-store.js'
export { RedisSessionManager, type RedisSessionManagerOptions } from './redis-session-manager.js'
export type { SessionLease, SessionLockOptions } from './session-lock.js'
export { closeSharedRedisClients } from './shared-clients.js'
