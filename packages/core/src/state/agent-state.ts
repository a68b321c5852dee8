import type { JsonObject, JsonValue } from '../types/json.js'

/**
 * The agent's key/value state. Values must be plain JSON (no functions, class instances, `undefined`,
 * `NaN` or cycles) so that state can be saved by a session manager and returned in results. Values are
 * copied in and out, so changing a value you read does not change the state.
 */
export class AgentState {
  private values: Map<string, JsonValue>

  constructor(initial: JsonObject = {}) {
    this.values = new Map()
    for (const [key, value] of Object.entries(initial)) this.set(key, value)
  }

  /** A copy of the value, or `undefined` when the key is not set. */
  get<Value extends JsonValue = JsonValue>(key: string): Value | undefined {
    const value = this.values.get(key)
    return (value === undefined ? undefined : copy(value)) as Value | undefined
  }

  /** Sets a JSON value; throws a `TypeError` naming the first part that is not JSON. */
  set(key: string, value: JsonValue): void {
    if (typeof key !== 'string' || key === '') throw new TypeError('State keys must be non-empty strings.')
    assertJson(value, key, new Set())
    this.values.set(key, copy(value))
  }

  has(key: string): boolean {
    return this.values.has(key)
  }

  delete(key: string): boolean {
    return this.values.delete(key)
  }

  clear(): void {
    this.values.clear()
  }

  keys(): string[] {
    return [...this.values.keys()]
  }

  /** Replaces all values (used to restore a session). */
  replace(values: JsonObject): void {
    const next = new AgentState(values)
    this.values = next.values
  }

  /** A copy of every value as one JSON object. */
  toJSON(): JsonObject {
    // No prototype: a key such as `__proto__` stays an own key instead of replacing the prototype.
    const object: JsonObject = Object.create(null)
    for (const [key, value] of this.values) object[key] = copy(value)
    return object
  }
}

function copy<Value extends JsonValue>(value: Value): Value {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value
}

function assertJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, `${value} (not a finite number)`)
      return
    case 'object': {
      if (value === null) return
      if (seen.has(value)) throw notJson(path, 'a circular reference')
      const prototype = Object.getPrototypeOf(value)
      if (Array.isArray(value)) {
        seen.add(value)
        value.forEach((item, index) => {
          assertJson(item, `${path}[${index}]`, seen)
        })
      } else if (prototype === Object.prototype || prototype === null) {
        seen.add(value)
        for (const [key, item] of Object.entries(value)) assertJson(item, `${path}.${key}`, seen)
      } else {
        throw notJson(path, `an instance of ${prototype?.constructor?.name ?? 'a class'}`)
      }
      seen.delete(value)
      return
    }
    default:
      throw notJson(path, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`)
  }
}

function notJson(path: string, what: string): TypeError {
  return new TypeError(
    `Agent state must be plain JSON, but "${path}" is ${what}. Store plain objects, arrays, strings, finite numbers, booleans or null.`,
  )
}
