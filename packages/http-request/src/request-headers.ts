import { HttpRequestError } from './http-request-error.js'

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Visible ASCII, space and tab, and bytes from 0x80 (obs-text): never CR, LF, NUL or other controls.
const valuePattern = /^[\t\x20-\x7e\x80-\xff]*$/

/** Headers the connection owns: a model setting them could smuggle requests or reach another virtual host. */
const forbiddenHeaders = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
])

/** Headers that carry credentials: dropped when a redirect leaves the origin. */
export const credentialHeaders: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-amz-security-token',
  'x-amz-date',
  'x-amz-content-sha256',
])

const maxHeaderCount = 64
const maxHeaderValueLength = 8192

/** Validates the headers the model sent and returns them with lower-case names. */
export function validateModelHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {}
  if (headers === undefined) return result
  const entries = Object.entries(headers)
  if (entries.length > maxHeaderCount) {
    throw new HttpRequestError(
      'invalid_request',
      `Too many headers (${entries.length}); send at most ${maxHeaderCount}.`,
    )
  }
  for (const [name, value] of entries) {
    if (!tokenPattern.test(name)) {
      throw new HttpRequestError(
        'invalid_request',
        `The header name ${JSON.stringify(name)} is not valid: use letters, digits and - only.`,
      )
    }
    const lower = name.toLowerCase()
    if (forbiddenHeaders.has(lower)) {
      throw new HttpRequestError(
        'invalid_request',
        `The header "${name}" may not be set: the connection manages it. Remove it and call again.`,
      )
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new HttpRequestError('invalid_request', `The header "${name}" must have a string value.`)
    }
    const text = String(value)
    if (!valuePattern.test(text)) {
      throw new HttpRequestError(
        'invalid_request',
        `The value of header "${name}" holds a line break or control character, which is not allowed.`,
      )
    }
    if (text.length > maxHeaderValueLength) {
      throw new HttpRequestError(
        'invalid_request',
        `The value of header "${name}" is longer than ${maxHeaderValueLength} characters.`,
      )
    }
    result[lower] = text
  }
  return result
}

/** The headers without credentials, for a hop to another origin. */
export function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!credentialHeaders.has(name)) result[name] = value
  }
  return result
}
