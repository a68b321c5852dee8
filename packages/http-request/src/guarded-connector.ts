import { isIP } from 'node:net'
import { buildConnector } from 'undici'
import type { AddressGuard } from './address-guard.js'

export interface GuardedConnectorOptions {
  /** Connect timeout per address, ms. */
  connectTimeoutMs: number
  /** Extra CA certificates for HTTPS. */
  ca?: string | readonly string[]
  /** Called with each address a connection is opened to (for diagnostics and tests). */
  onConnect?: (hostname: string, address: string) => void
}

/**
 * An undici connector that resolves the host itself, asks the guard about every address, and opens the
 * socket to the checked address. TLS still verifies the certificate against the host name (SNI), so
 * HTTPS stays correct while DNS is never asked twice: there is no window for DNS rebinding.
 */
export function createGuardedConnector(
  guard: AddressGuard,
  options: GuardedConnectorOptions,
): buildConnector.connector {
  const connect = buildConnector({
    timeout: options.connectTimeoutMs,
    ...(options.ca === undefined ? {} : { ca: options.ca as string | string[] }),
    // One HTTP/1.1 connection per request keeps the guard per connection simple and predictable.
    allowH2: false,
  })
  return (connectOptions, callback) => {
    guard.resolve(connectOptions.hostname).then(
      (addresses) => {
        const servername = isIP(connectOptions.hostname) === 0 ? connectOptions.hostname : undefined
        const attempt = (index: number) => {
          const address = addresses[index]!
          options.onConnect?.(connectOptions.hostname, address)
          connect({ ...connectOptions, hostname: address, servername }, (...result) => {
            // Try the next checked address when one refuses, as a browser would.
            if (result[0] !== null && index + 1 < addresses.length) attempt(index + 1)
            else callback(...result)
          })
        }
        attempt(0)
      },
      (error: Error) => callback(error, null),
    )
  }
}
