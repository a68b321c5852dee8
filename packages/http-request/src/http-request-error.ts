import { AgentError } from '@agent/core'
import { errorGuard } from '@agent/core/provider'

/** Why a request was refused or failed. */
export type HttpRequestErrorCode =
  /** The input is malformed: URL, scheme, headers, body. */
  | 'invalid_request'
  /** The operator's policy forbids the host, an address it resolves to, or the use of a secret. */
  | 'blocked'
  /** The consent callback refused a mutating request. */
  | 'consent_denied'
  /** The deadline over the whole exchange passed. */
  | 'timeout'
  /** Too many redirects, or a redirect without a usable Location. */
  | 'redirect'
  /** Signing or credentials failed. */
  | 'auth'
  /** DNS, connection, reset, or a response that broke the protocol. */
  | 'network'
  /** The run was cancelled. */
  | 'aborted'

/**
 * The error the http_request tool fails with. The agent turns it into a `status: 'error'` tool result
 * whose text is this message, so messages tell the model what to do and never hold secrets.
 */
export class HttpRequestError extends AgentError {
  // The kind marks instances under a global symbol, so `isInstance` works across copies of the package.
  static override readonly kind = 'HttpRequestError'
  static override readonly isInstance = errorGuard<HttpRequestError>('HttpRequestError')
  readonly code: HttpRequestErrorCode

  constructor(code: HttpRequestErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
