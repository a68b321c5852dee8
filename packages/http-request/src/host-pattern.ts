import { formatIpAddress, parseIpAddress } from './ip-address.js'

/** A host rule: `example.com` matches that host, `*.example.com` its subdomains (not the apex). */
export interface HostPattern {
  readonly text: string
  matches(hostname: string): boolean
}

/**
 * Host names are compared in the form the URL parser gives them: lower case, punycode, IPv4 in dotted
 * decimal, IPv6 compressed in brackets. A trailing dot is ignored.
 */
export function normalizeHostname(hostname: string): string {
  const lower = hostname.toLowerCase()
  const withoutDot = lower.endsWith('.') ? lower.slice(0, -1) : lower
  const address = parseIpAddress(withoutDot)
  if (address === undefined) return withoutDot
  return address.family === 6 ? `[${formatIpAddress(address)}]` : formatIpAddress(address)
}

export function parseHostPattern(text: string): HostPattern {
  const trimmed = text.trim()
  const wildcard = trimmed.startsWith('*.')
  const body = wildcard ? trimmed.slice(2) : trimmed
  let hostname: string
  try {
    const bracketed = body.includes(':') && !body.startsWith('[') ? `[${body}]` : body
    hostname = normalizeHostname(new URL(`http://${bracketed}/`).hostname)
  } catch {
    throw new TypeError(
      `"${text}" is not a host pattern: write a host name such as "api.example.com", "*.example.com" or an IP address.`,
    )
  }
  if (wildcard) {
    const suffix = `.${hostname}`
    return { text: trimmed, matches: (candidate) => normalizeHostname(candidate).endsWith(suffix) }
  }
  return { text: trimmed, matches: (candidate) => normalizeHostname(candidate) === hostname }
}

export function matchesAny(patterns: readonly HostPattern[], hostname: string): boolean {
  return patterns.some((pattern) => pattern.matches(hostname))
}
