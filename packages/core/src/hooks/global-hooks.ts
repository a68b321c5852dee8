import type { HookProvider } from './hook-registry.js'

// On globalThis under a registered symbol, so that every copy of @agent/core in a process shares one list.
const listKey = Symbol.for('@agent/core/global-hook-providers')
type GlobalWithHooks = typeof globalThis & { [listKey]?: HookProvider[] }

function providers(): HookProvider[] {
  const scope = globalThis as GlobalWithHooks
  scope[listKey] ??= []
  return scope[listKey]
}

/**
 * Registers hooks for every agent constructed from now on (tracing, logging, guardrails applied process-wide).
 * Returns a function that stops adding them to new agents; agents already built keep theirs.
 */
export function addGlobalHooks(provider: HookProvider): () => void {
  providers().push(provider)
  return () => {
    const list = providers()
    const index = list.indexOf(provider)
    if (index >= 0) list.splice(index, 1)
  }
}

/** The providers `addGlobalHooks` registered, in order. */
export function globalHookProviders(): readonly HookProvider[] {
  return providers()
}
