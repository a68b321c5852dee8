import { AgentError } from '../errors/agent-error.js'
import { describeThrownValue } from '../errors/describe-thrown-value.js'
import { HookError } from '../errors/hook-error.js'
import type { HookEvent } from './hook-events.js'

export type HookCallback<Event extends HookEvent> = (event: Event) => void | Promise<void>

/** A hook event class: `BeforeToolCallEvent`, `AfterInvocationEvent`, … */
export type HookEventClass<Event extends HookEvent> = (abstract new (
  ...args: never[]
) => Event) & {
  readonly reverseCallbacks: boolean
}

/** An object that registers several hooks at once (a session manager, a logger, a guardrail…). */
export interface HookProvider {
  registerHooks(registry: HookRegistry): void
}

/**
 * The agent's hooks, by event class. Callbacks run one after another and are awaited; After-events run
 * them in reverse order. A callback that throws ends the invocation with a `HookError` (an `AgentError`
 * it throws, such as a `SessionError`, ends it as is).
 */
export class HookRegistry {
  private readonly callbacks = new Map<HookEventClass<HookEvent>, HookCallback<HookEvent>[]>()

  /** Registers `callback` for `eventClass`; returns a function that removes it. */
  add<Event extends HookEvent>(eventClass: HookEventClass<Event>, callback: HookCallback<Event>): () => void {
    const key = eventClass as unknown as HookEventClass<HookEvent>
    let list = this.callbacks.get(key)
    if (list === undefined) this.callbacks.set(key, (list = []))
    list.push(callback as HookCallback<HookEvent>)
    return () => {
      const current = this.callbacks.get(key)
      const index = current?.indexOf(callback as HookCallback<HookEvent>) ?? -1
      if (index >= 0) current!.splice(index, 1)
    }
  }

  /** Lets a provider register its hooks. */
  addProvider(provider: HookProvider): void {
    provider.registerHooks(this)
  }

  /** True when any callback is registered for `eventClass` (lets the loop skip building events). */
  has(eventClass: HookEventClass<HookEvent>): boolean {
    return (this.callbacks.get(eventClass)?.length ?? 0) > 0
  }

  /** Runs the callbacks for this event's class and returns the event (hooks may have changed it). */
  async invoke<Event extends HookEvent>(event: Event): Promise<Event> {
    const eventClass = event.constructor as HookEventClass<HookEvent>
    const list = this.callbacks.get(eventClass)
    if (list === undefined || list.length === 0) return event
    const ordered = eventClass.reverseCallbacks ? [...list].reverse() : [...list]
    for (const callback of ordered) {
      try {
        await callback(event)
      } catch (error) {
        if (AgentError.isInstance(error)) throw error
        const message = describeThrownValue(error)
        throw new HookError(
          `A ${eventClass.name} hook threw: ${message}. Fix the hook, or catch errors inside it to let the run go on.`,
          { cause: error },
        )
      }
    }
    return event
  }
}
