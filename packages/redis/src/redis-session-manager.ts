import { SessionConflictError, type SessionData, SessionError, type SessionManager } from '@agent/core'
import { repairRestoredConversation } from '@agent/core/provider'
import { checkedSessionId, defaultKeyPrefix, sessionKey } from './key-names.js'
import { describeRedisFailure, type RedisClient, type RedisConnectionOptions } from './redis-connection.js'
import { acquireSessionLock, type SessionLease, type SessionLockOptions } from './session-lock.js'
import { clientFor } from './shared-clients.js'

export type RedisSessionManagerOptions = RedisConnectionOptions & {
  sessionId: string
  /** The session expires this long after its last save. Default none (kept until deleted). */
  ttlSeconds?: number
  /** Prefix of every key. Default `agent:`. */
  keyPrefix?: string
}

// Compare-and-set on the revision, in one atomic step: a writer that saw an older revision changes nothing.
const saveScript = `
local current = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if current ~= tonumber(ARGV[1]) then return {0, current} end
redis.call('HSET', KEYS[1], 'revision', current + 1, 'data', ARGV[2], 'updatedAt', ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return {1, current + 1}
`

/**
 * Keeps a session (the whole `SessionData` document, so that fields added by newer versions of
 * `@agent/core` are kept) in a Redis hash with a revision: a writer that saw an older revision gets a
 * `SessionConflictError` and overwrites nothing. Loading repairs a conversation that stopped between a
 * tool use and its result. With `acquireLock()`, one replica at a time runs the conversation.
 */
export class RedisSessionManager implements SessionManager {
  readonly sessionId: string
  readonly key: string
  private readonly connection: RedisConnectionOptions
  private readonly ttlSeconds: number
  private readonly keyPrefix: string
  /** The revision this writer last read or wrote; `undefined` before the first load. */
  private revision: number | undefined
  /** The save in flight, if any: a lock is released only after it. */
  private saving: Promise<unknown> = Promise.resolve()

  constructor(options: RedisSessionManagerOptions) {
    this.sessionId = checkedSessionId(options.sessionId)
    this.connection = options.client !== undefined ? { client: options.client } : { url: options.url }
    this.keyPrefix = options.keyPrefix ?? defaultKeyPrefix
    this.key = sessionKey(this.keyPrefix, this.sessionId)
    const ttl = options.ttlSeconds ?? 0
    if (!(Number.isInteger(ttl) && ttl >= 0))
      throw new RangeError(`ttlSeconds must be an integer >= 0, got ${ttl}.`)
    this.ttlSeconds = ttl
  }

  async load(): Promise<SessionData | undefined> {
    const [revision, text] = await this.command('loading', (client) =>
      client.hmGet(this.key, ['revision', 'data']),
    )
    if (text === null || text === undefined) {
      this.revision = 0
      return undefined
    }
    const data = this.parse(String(text))
    repairRestoredConversation(data.messages)
    this.revision = Number(revision)
    return data
  }

  save(data: SessionData): Promise<void> {
    const saved = this.write(data)
    this.saving = saved.catch(() => {})
    return saved
  }

  private async write(data: SessionData): Promise<void> {
    const expected = this.revision ?? 0
    const text = JSON.stringify(data)
    const reply = (await this.command('saving', (client) =>
      client.eval(saveScript, {
        keys: [this.key],
        arguments: [String(expected), text, new Date().toISOString(), String(this.ttlSeconds)],
      }),
    )) as [number, number]
    if (reply[0] !== 1) {
      throw new SessionConflictError(
        `Session "${this.sessionId}" was changed by another writer (revision ${reply[1]}, this agent last saw ${expected}); nothing was written. Use one agent per session, or load the session again.`,
      )
    }
    this.revision = reply[1]
  }

  /**
   * Takes the session's lock so that no other replica runs it meanwhile; a busy session throws a
   * `ConcurrencyError` (`@agent/server` answers 409), or waits `waitMs` first.
   */
  async acquireLock(options: SessionLockOptions = {}): Promise<SessionLease> {
    const client = await this.client()
    const lease = await acquireSessionLock(client, this.keyPrefix, this.sessionId, options)
    const settled = async () => {
      await this.saving
    }
    return {
      ...lease,
      releaseAfterInvocation: (agent, wait = settled) => lease.releaseAfterInvocation(agent, wait),
    }
  }

  private client(): Promise<RedisClient> {
    return clientFor(this.connection).catch((error: unknown) => {
      throw new SessionError((error as Error).message, { cause: error })
    })
  }

  private async command<Result>(
    doing: string,
    run: (client: RedisClient) => Promise<Result>,
  ): Promise<Result> {
    const client = await this.client()
    try {
      return await run(client)
    } catch (error) {
      throw new SessionError(
        `${describeRedisFailure(`${doing} session "${this.sessionId}"`, error)}. Nothing was written.`,
        { cause: error },
      )
    }
  }

  private parse(text: string): SessionData {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw this.unusable(`it is not valid JSON (${(error as Error).message})`)
    }
    const data = parsed as Partial<SessionData> | null
    if (
      typeof data !== 'object' ||
      data === null ||
      !Array.isArray(data.messages) ||
      !data.messages.every(isMessage) ||
      typeof data.state !== 'object' ||
      data.state === null ||
      Array.isArray(data.state)
    ) {
      throw this.unusable('its messages or state are missing or malformed')
    }
    return data as SessionData
  }

  private unusable(why: string): SessionError {
    return new SessionError(
      `Session "${this.sessionId}" in Redis (${this.key}) cannot be used: ${why}. It was left untouched; delete the key to start a new session with this id.`,
    )
  }
}

function isMessage(value: unknown): boolean {
  const message = value as { role?: unknown; content?: unknown } | null
  return (
    typeof message === 'object' &&
    message !== null &&
    (message.role === 'user' || message.role === 'assistant') &&
    Array.isArray(message.content)
  )
}
