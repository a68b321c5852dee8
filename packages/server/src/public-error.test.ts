import { AbortError, AgentError, ConcurrencyError, ModelError, ModelThrottledError } from '@agent/core'
import { describe, expect, it } from 'vitest'
import { redactSecrets, statusOf, toPublicError } from './public-error.js'

describe('toPublicError', () => {
  it('keeps SDK error names and messages, without credentials', () => {
    const error = new ModelError(
      'Incorrect API key provided: sk-proj-abc123XYZ789. Header Authorization: Bearer eyJhbGciOi.x.y',
      {
        status: 400,
      },
    )
    expect(toPublicError(error, 'id1')).toEqual({
      name: 'ModelError',
      message: 'Incorrect API key provided: [redacted]. Header Authorization: [redacted]',
      status: 400,
      retryable: false,
      errorId: 'id1',
    })
  })

  it("replaces a provider's refusal of our credentials with a generic message", () => {
    const error = new ModelError(
      'The security token included in the request is expired (AKIAIOSFODNN7EXAMPLE)',
      { status: 403 },
    )
    const described = toPublicError(error, 'abcd1234')
    expect(described.message).toBe(
      "The model provider refused the server's credentials (HTTP 403); the server log has the details. (error id abcd1234)",
    )
    expect(JSON.stringify(described)).not.toContain('AKIA')
  })

  it('keeps retry hints of a throttled provider', () => {
    const described = toPublicError(
      new ModelThrottledError('Slow down', { status: 429, retryAfterMs: 2500 }),
      undefined,
    )
    expect(described).toEqual({
      name: 'ModelThrottledError',
      message: 'Slow down',
      status: 429,
      retryable: true,
      retryAfterMs: 2500,
    })
    expect(statusOf(new ModelThrottledError('Slow down'))).toBe(429)
  })

  it('hides anything that is not an SDK error', () => {
    const described = toPublicError(new RangeError('index 7 out of range in /srv/app/secret.ts'), 'e1')
    expect(described).toEqual({
      name: 'InternalError',
      message: 'The agent failed with an unexpected error; the server log has the details. (error id e1)',
      errorId: 'e1',
    })
    expect(toPublicError('a thrown string', undefined).name).toBe('InternalError')
  })

  it('describes aborts by their cause', () => {
    expect(toPublicError(new AbortError(), undefined, 'disconnect').message).toBe(
      'The client disconnected, so the run was aborted.',
    )
    expect(toPublicError(new AbortError(), undefined, 'shutdown').name).toBe('ServiceUnavailable')
    expect(statusOf(new AbortError(), 'shutdown')).toBe(503)
    expect(statusOf(new ConcurrencyError('busy'))).toBe(409)
    expect(statusOf(new ModelError('down', { status: 500 }))).toBe(502)
    expect(statusOf(new AgentError('other'))).toBe(500)
  })
})

describe('redactSecrets', () => {
  it('removes key-like values and keeps the rest', () => {
    expect(redactSecrets('api_key=abc123 and password: hunter2 and token="t0k"')).toBe(
      'api_key=[redacted] and password: [redacted] and token="[redacted]"',
    )
    expect(redactSecrets('plain message')).toBe('plain message')
    expect(redactSecrets('x'.repeat(2000))).toHaveLength(1001)
  })
})
