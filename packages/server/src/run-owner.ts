import type { Streamable } from './streamable.js'

export interface RunOwnerContext {
  request: Request
  /** The run's agent, when the run is starting (absent for a resume or a stop). */
  agent?: Streamable
}

/**
 * The default owner of a run: a digest of the credentials the request carries (`Authorization`, else
 * `Cookie`), so that a run id alone is not enough to read or stop someone else's run. The digest keeps
 * the credential itself out of the run store.
 */
export async function credentialOwner({ request }: RunOwnerContext): Promise<string | undefined> {
  const credential = request.headers.get('authorization') ?? request.headers.get('cookie')
  if (credential === null || credential === '') return undefined
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(credential))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return `credential:${hex}`
}
