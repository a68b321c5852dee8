import type { JsonObject } from '../types/json.js'
import type { Message } from '../types/messages.js'

/** What a session keeps of an agent. */
export interface SessionData {
  messages: Message[]
  state: JsonObject
}

/**
 * Persists one agent's conversation and state. The agent calls `load()` once before its first invocation
 * (or on `agent.restoreSession()`), then `save()` after every message and at the end of each invocation.
 * `load()` and `save()` throw a `SessionError` when the stored session cannot be used; they must never
 * overwrite a session they could not read.
 */
export interface SessionManager {
  readonly sessionId: string
  /** The saved session, or `undefined` when there is none yet. */
  load(): Promise<SessionData | undefined>
  save(data: SessionData): Promise<void>
}
