import { AfterInvocationEvent, type Agent, ConcurrencyError } from '@agent/core'
import { sessionLockKey } from './key-names.js'
import { describeRedisFailure, type RedisClient } from './redis-connection.js'

export interface SessionLockOptions {
  /** A lock not renewed for this long is free again (its replica died). The holder renews it every third. Default 10 000 ms. */
  leaseMs?: number
  /** How long to wait for a busy session before failing. Default 0: fail at once (`@agent/server` answers 409). */
  waitMs?: number
}

/** A held session lock. Its lease is renewed until `release()`. */
export interface SessionLease {
  readonly sessionId: string
  /** Aborts when the lease was lost (Redis unreachable for longer than the lease, or taken over). */
  readonly signal: AbortSignal
  release(): Promise<void>
  /** Releases the lock once the agent's invocation ended and its last save was written. */
  releaseAfterInvocation(agent: Agent, settled?: () => Promise<void>): void
}

// Only the holder (its token) renews or deletes the lock.
const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

export async function acquireSessionLock(
  client: RedisClient,
  keyPrefix: string,
  sessionId: string,
  options: SessionLockOptions = {},
): Promise<SessionLease> {
  const leaseMs = options.leaseMs ?? 10_000
  if (!(Number.isInteger(leaseMs) && leaseMs >= 30))
    throw new RangeError(`leaseMs must be an integer >= 30, got ${leaseMs}.`)
  const key = sessionLockKey(keyPrefix, sessionId)
  const token = globalThis.crypto.randomUUID()
  const deadline = Date.now() + (options.waitMs ?? 0)
  let pause = 10
  while (true) {
    let taken: string | null
    try {
      taken = await client.set(key, token, { NX: true, PX: leaseMs })
    } catch (error) {
      throw new ConcurrencyError(`${describeRedisFailure(`locking session "${sessionId}"`, error)}.`, {
        cause: error,
      })
    }
    if (taken === 'OK') break
    if (Date.now() >= deadline) {
      throw new ConcurrencyError(
        `Session "${sessionId}" is busy: another request is running it. Try again when it has finished.`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))))
    pause = Math.min(pause * 2, 200)
  }
  return holdLease(client, key, token, sessionId, leaseMs)
}

function holdLease(
  client: RedisClient,
  key: string,
  token: string,
  sessionId: string,
  leaseMs: number,
): SessionLease {
  const lost = new AbortController()
  let released = false
  let lastRenewed = Date.now()
  const renew = async () => {
    try {
      const renewed = await client.eval(renewScript, { keys: [key], arguments: [token, String(leaseMs)] })
      if (renewed === 1) {
        lastRenewed = Date.now()
        return
      }
      lose(`the lock of session "${sessionId}" was taken over after its lease ran out`)
    } catch (error) {
      // Redis is briefly away: keep the lease until it would have expired anyway.
      if (Date.now() - lastRenewed >= leaseMs)
        lose(describeRedisFailure(`renewing the lock of session "${sessionId}"`, error))
    }
  }
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(leaseMs / 3)))
  timer.unref?.()
  const lose = (why: string) => {
    clearInterval(timer)
    if (!lost.signal.aborted) lost.abort(new ConcurrencyError(`Lost the session lock: ${why}.`))
  }
  const release = async () => {
    if (released) return
    released = true
    clearInterval(timer)
    await client.eval(releaseScript, { keys: [key], arguments: [token] }).catch(() => {})
  }
  return {
    sessionId,
    signal: lost.signal,
    release,
    releaseAfterInvocation(agent, settled) {
      agent.hooks.add(AfterInvocationEvent, () => {
        // This hook runs before the session's own final save (hooks of this event run in reverse order):
        // release on the next turn, after that save.
        setImmediate(() => void (settled?.() ?? Promise.resolve()).finally(release))
      })
    },
  }
}
