/** A name, or a pattern a name must match; tested against the server's own tool name. */
export type ToolFilter = string | RegExp

const maxNameLength = 64

/** True when `name` passes `allowed` (all when absent) and no entry of `rejected`. */
export function isToolSelected(
  name: string,
  allowed: readonly ToolFilter[] | undefined,
  rejected: readonly ToolFilter[] | undefined,
): boolean {
  if (allowed !== undefined && !allowed.some((filter) => matches(filter, name))) return false
  return rejected === undefined || !rejected.some((filter) => matches(filter, name))
}

function matches(filter: ToolFilter, name: string): boolean {
  if (typeof filter === 'string') return filter === name
  filter.lastIndex = 0
  return filter.test(name)
}

/**
 * Turns a server's tool name into one the providers accept (`^[a-zA-Z0-9_-]{1,64}$`): other characters
 * become `_`, the prefix is added, long names are cut, and a name already taken gets a numbered suffix.
 */
export function agentToolName(
  serverName: string,
  prefix: string | undefined,
  taken: ReadonlySet<string>,
): string {
  const cleaned = serverName.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool'
  const base = (prefix === undefined ? cleaned : `${prefix}_${cleaned}`).slice(0, maxNameLength)
  if (!taken.has(base)) return base
  for (let counter = 2; ; counter++) {
    const suffix = `_${counter}`
    const candidate = base.slice(0, maxNameLength - suffix.length) + suffix
    if (!taken.has(candidate)) return candidate
  }
}

/** Checks a user-given prefix early, so that a bad one fails at construction rather than on first use. */
export function checkPrefix(prefix: string | undefined): void {
  if (prefix !== undefined && !/^[a-zA-Z0-9_-]{1,32}$/.test(prefix)) {
    throw new TypeError(`MCP tool prefix "${prefix}" is invalid: use 1 to 32 letters, digits, "_" or "-".`)
  }
}
