import type { InterruptState } from '../interrupt/interrupt.js'
import type { JsonObject } from '../types/json.js'
import type { Message } from '../types/messages.js'

/** What a session keeps of an agent. */
export interface SessionData {
  messages: Message[]
  state: JsonObject
  /**
   * Set while a run waits for interrupt responses (plain JSON, store it as is): a process that loads it can
   * resume the run. Absent otherwise; a manager that does not store it loses only the pending interrupts.
   */
  interruptState?: InterruptState
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
