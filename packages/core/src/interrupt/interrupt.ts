import { AgentError, errorGuard } from '../errors/agent-error.js'
import type { JsonValue } from '../types/json.js'
import type { InterruptResponseContent, ToolResult } from '../types/messages.js'

export type { InterruptResponseContent }

/** A question a hook or a tool asked a person; the run ended with stop reason `interrupt` to wait for the answer. */
export interface Interrupt {
  /** Deterministic for the same tool use and name, so a re-run asks the same question under the same id. */
  id: string
  name: string
  reason: JsonValue
}

/**
 * What a session keeps of an interrupted tool turn (plain JSON; `SessionData.interruptState`). The turn is the
 * last assistant message of the conversation, whose tool uses have no results in the conversation yet.
 */
export interface InterruptState {
  /** The interrupts waiting for a response. */
  interrupts: Interrupt[]
  /** Results of the turn's tools that finished; they are not run again on resume. */
  toolResults: ToolResult[]
  /** Responses given so far, by interrupt id; the re-run hooks and tools read them. */
  responses: Record<string, JsonValue>
  /** The model's tool inputs that were not valid JSON, by tool use id. */
  invalidToolInputs?: Record<string, string>
}

/** A resume prompt named an interrupt that is not pending, or there was nothing to resume. */
export class InterruptError extends AgentError {
  static override readonly kind: string = 'InterruptError'
  static override readonly isInstance = errorGuard<InterruptError>('InterruptError')
}

/**
 * Thrown by `interrupt()` when no response is known yet; the loop catches it and ends the tool call without a
 * result. An `AgentError`, so that hook errors are not wrapped around it.
 */
export class InterruptSignal extends AgentError {
  static override readonly kind: string = 'InterruptSignal'
  static override readonly isInstance = errorGuard<InterruptSignal>('InterruptSignal')
  readonly interrupt: Interrupt

  constructor(interrupt: Interrupt) {
    super(
      `Interrupt "${interrupt.name}" is waiting for a response (only an agent run can be interrupted; do not catch this error).`,
    )
    this.interrupt = interrupt
  }
}

/** Asks for the interrupt of one tool use: returns its response when one was given, else throws `InterruptSignal`. */
export function askInterrupt(
  responses: Readonly<Record<string, JsonValue>> | undefined,
  toolUseId: string,
  name: string,
  reason: JsonValue | undefined,
): JsonValue {
  const id = interruptId(toolUseId, name)
  if (responses !== undefined && Object.hasOwn(responses, id)) return responses[id]!
  throw new InterruptSignal({ id, name, reason: reason ?? null })
}

const fnvOffset = 0x6c62272e07bb014262b821756295c58dn
const fnvPrime = 0x0000000001000000000000000000013bn
const mask128 = (1n << 128n) - 1n

/** A uuid-shaped FNV-1a 128 hash of the tool use and the name: synchronous, the same in every runtime. */
export function interruptId(toolUseId: string, name: string): string {
  let hash = fnvOffset
  for (const byte of new TextEncoder().encode(JSON.stringify([toolUseId, name]))) {
    hash = ((hash ^ BigInt(byte)) * fnvPrime) & mask128
  }
  const hex = hash.toString(16).padStart(32, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The interrupt responses of a resume prompt, or `undefined` for any other prompt. Throws on a malformed one. */
export function interruptResponsesOf(
  prompt: readonly unknown[] | undefined,
): Map<string, JsonValue> | undefined {
  if (prompt === undefined || prompt.length === 0) return undefined
  const isResponse = (block: unknown) =>
    typeof block === 'object' && block !== null && 'interruptResponse' in block
  if (!prompt.some(isResponse)) return undefined
  const responses = new Map<string, JsonValue>()
  for (const block of prompt) {
    if (!isResponse(block)) {
      throw new InterruptError(
        'A resume prompt holds only interruptResponse blocks; send other content in a later prompt.',
      )
    }
    const { interruptId: id, response } = (block as InterruptResponseContent).interruptResponse ?? {}
    if (typeof id !== 'string' || id === '') {
      throw new InterruptError(
        'An interruptResponse needs its interruptId (a string, from the interrupt event or result.interrupts).',
      )
    }
    responses.set(id, response === undefined ? null : response)
  }
  return responses
}

/** Checks a resume against the pending state and records its responses; returns the state to resume. */
export function applyInterruptResponses(
  state: InterruptState | undefined,
  responses: ReadonlyMap<string, JsonValue>,
): InterruptState {
  if (state === undefined) {
    throw new InterruptError(
      'Nothing to resume: this agent has no pending interrupt (send a normal prompt instead).',
    )
  }
  const pending = new Set(state.interrupts.map((interrupt) => interrupt.id))
  for (const id of responses.keys()) {
    if (!pending.has(id)) {
      throw new InterruptError(
        `Unknown interrupt id "${id}"; the pending ones are: ${[...pending].join(', ')}.`,
      )
    }
  }
  for (const [id, response] of responses) state.responses[id] = response
  return state
}

/** True for a stored `InterruptState` (a session manager checks what it reads). */
export function isInterruptState(value: unknown): value is InterruptState {
  if (typeof value !== 'object' || value === null) return false
  const state = value as Partial<InterruptState>
  return (
    Array.isArray(state.interrupts) &&
    state.interrupts.every(
      (interrupt) => typeof interrupt?.id === 'string' && typeof interrupt.name === 'string',
    ) &&
    Array.isArray(state.toolResults) &&
    typeof state.responses === 'object' &&
    state.responses !== null
  )
}
