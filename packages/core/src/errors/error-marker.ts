/**
 * `instanceof` fails when an app ends up with two copies of @agent/core, so every error carries
 * the names of its class chain under a global symbol, and `isInstance` checks that instead.
 */
const errorKinds = Symbol.for('@agent/core.errorKinds')

export function markErrorKind(error: object, kind: string): void {
  const target = error as { [errorKinds]?: string[] }
  if (target[errorKinds] === undefined) {
    Object.defineProperty(target, errorKinds, { value: [kind], enumerable: false })
  } else {
    target[errorKinds].push(kind)
  }
}

export function hasErrorKind(value: unknown, kind: string): boolean {
  if (typeof value !== 'object' || value === null) return false
  try {
    const kinds = (value as { [errorKinds]?: string[] })[errorKinds]
    return Array.isArray(kinds) && kinds.includes(kind)
  } catch {
    // A thrown Proxy whose traps throw is no error of ours; asking must not throw.
    return false
  }
}
