/**
 * DNS rebinding guard. A web page can point its own name at 127.0.0.1 and then drive a server on the
 * user's machine; its requests still carry the page's name in `Host`. So a request that reached a
 * loopback address must name a loopback host, unless the app lists the names it serves.
 */

/** The `Host` of a request, lowercased, without its port. */
export function hostOf(request: Request): string {
  let host = request.headers.get('host')
  if (host === null) {
    try {
      host = new URL(request.url).host
    } catch {
      return ''
    }
  }
  host = host.trim().toLowerCase()
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

export function isLoopbackHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  )
}

export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address)
}

/** `allowedHosts` entries: an exact name, `.example.com` for it and its subdomains, or `*` for any. */
export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  for (const entry of allowedHosts) {
    const allowed = entry.toLowerCase()
    if (allowed === '*' || allowed === host) return true
    if (allowed.startsWith('.') && (host.endsWith(allowed) || host === allowed.slice(1))) return true
  }
  return false
}

/** The local address of the connection, where the runtime says (Node through `@hono/node-server`). */
export function localAddressOf(env: unknown): string | undefined {
  const bindings = env as { incoming?: { socket?: { localAddress?: string } } } | undefined
  return bindings?.incoming?.socket?.localAddress
}

/** True when the request may be served. */
export function hostPermitted(
  request: Request,
  env: unknown,
  allowedHosts: readonly string[] | undefined,
): boolean {
  const host = hostOf(request)
  // A client that named a loopback host addressed this machine itself: never a rebound page.
  if (isLoopbackHost(host)) return true
  if (allowedHosts !== undefined) return hostAllowed(host, allowedHosts)
  const local = localAddressOf(env)
  return local === undefined || !isLoopbackAddress(local)
}
