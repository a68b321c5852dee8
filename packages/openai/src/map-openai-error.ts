import { AbortError, ContextWindowOverflowError, ModelError, ModelThrottledError } from '@agent/core'
import { redactCredentials } from '@agent/core/provider'
import type { APIError } from 'openai'
import { loadedOpenAIModule } from './openai-module.js'

const contextOverflowCodes = new Set(['context_length_exceeded', 'string_above_max_length'])
/** How OpenAI-compatible servers word it: OpenAI, vLLM, llama.cpp, LM Studio, DeepSeek, Groq, Mistral. */
const contextOverflowMessage =
  /maximum context length|context length exceeded|context_length_exceeded|exceeds? (the )?(available )?context (size|window|length)|context window|prompt is too long|input is too long|too many tokens|reduce the length of the (messages|input)/i
/** Quota errors arrive as 429 too, but waiting does not help. */
const quotaCodes = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active'])
const maxMessageLength = 600

/**
 * Turns whatever the `openai` client threw into one of our typed errors. An aborted `signal` always wins,
 * so that a cancelled request is never reported as a provider failure.
 */
export function toModelError(error: unknown, signal: AbortSignal | undefined, api: string): Error {
  // Before the first request loaded `openai`, nothing can have thrown one of its errors.
  const openai = loadedOpenAIModule()
  if (signal?.aborted || (openai && error instanceof openai.APIUserAbortError) || isAbortLike(error)) {
    if (error instanceof AbortError) return error
    return new AbortError(`The ${api} request was aborted.`, { cause: signal?.reason ?? error })
  }
  if (ModelError.isInstance(error)) return error as ModelError
  if (openai && error instanceof openai.APIConnectionTimeoutError) {
    return new ModelError(
      `The ${api} request timed out before the server answered. Try again, or raise clientArgs.timeout for slow servers.`,
      { cause: error, retryable: true },
    )
  }
  if (openai && error instanceof openai.APIConnectionError) {
    return new ModelError(
      `Could not reach the ${api} server (${redactCredentials(deepestMessage(error))}). Check the base URL and the network, then try again.`,
      { cause: error, retryable: true },
    )
  }
  if (openai && error instanceof openai.APIError) return fromApiError(error, api)
  if (error instanceof SyntaxError) {
    return new ModelError(
      `The ${api} server sent a malformed stream (${error.message}). Check that the base URL points at an OpenAI-compatible server, then try again.`,
      { cause: error, retryable: true },
    )
  }
  if (openai && error instanceof openai.OpenAIError) {
    return new ModelError(`The ${api} client failed: ${redactCredentials(error.message)}`, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new ModelError(
    `The ${api} stream failed (${redactCredentials(message)}); the connection was probably interrupted. Try again.`,
    { cause: error, retryable: true },
  )
}

/** What a provider said went wrong, from an HTTP error response or from an error event inside the stream. */
export interface ProviderFailure {
  /** HTTP status; undefined for an error sent inside the stream. */
  status?: number | undefined
  code?: string | undefined
  message: string
  headers?: Headers | undefined
  cause?: unknown
}

/** A provider's error, with its status when it came as an HTTP response, or from inside the stream without one. */
export function fromApiError(error: APIError, api: string): ModelError {
  const body = error.error as { code?: unknown } | undefined
  return fromProviderFailure(
    {
      status: error.status,
      code: stringOrUndefined(error.code) ?? stringOrUndefined(body?.code) ?? stringOrUndefined(error.type),
      message: providerMessageOf(error),
      headers: error.headers,
      cause: error,
    },
    api,
  )
}

export function fromProviderFailure(failure: ProviderFailure, api: string): ModelError {
  const { status, code, cause } = failure
  const providerMessage = cleanMessage(failure.message)
  const where = status === undefined ? `${api} stream error` : `${api} request failed (HTTP ${status})`
  const said = `${where}${code ? ` [${code}]` : ''}: ${providerMessage}`

  if (code !== undefined && quotaCodes.has(code)) {
    return new ModelError(`${said} Check the account's plan and billing; retrying will not help.`, {
      cause,
      status,
      retryable: false,
    })
  }
  if (status === 429 || code === 'rate_limit_exceeded') {
    const retryAfterMs = retryAfterMsFrom(failure.headers)
    return new ModelThrottledError(
      `${said} The request was rate limited; the agent loop waits and retries.`,
      {
        cause,
        status,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      },
    )
  }
  if (
    (code !== undefined && contextOverflowCodes.has(code)) ||
    ((status === undefined || status === 400 || status === 413 || status === 422) &&
      contextOverflowMessage.test(providerMessage))
  ) {
    return new ContextWindowOverflowError(
      `${said} The conversation is too long for the model's context window.`,
      { cause, status },
    )
  }
  const hint =
    status === 401
      ? ' Check OPENAI_API_KEY or the apiKey client option.'
      : status === 404 || code === 'model_not_found'
        ? ' Check the modelId and the base URL.'
        : status !== undefined && status >= 500
          ? ' The server failed; try again.'
          : ''
  const retryable =
    status === undefined
      ? code === 'server_error' || code === undefined
      : status === 408 || status === 409 || status >= 500
  return new ModelError(`${said}${hint}`, { cause, status, retryable })
}

/** `retry-after-ms` (milliseconds) first, then `retry-after` as seconds or an HTTP date. */
export function retryAfterMsFrom(headers: Headers | undefined): number | undefined {
  if (headers === undefined) return undefined
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '')
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds)
  const retryAfter = headers.get('retry-after')
  if (retryAfter === null || retryAfter.trim() === '') return undefined
  const seconds = Number(retryAfter)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(retryAfter)
  if (Number.isFinite(date)) return Math.max(0, date - Date.now())
  return undefined
}

function providerMessageOf(error: APIError): string {
  const body = error.error as { message?: unknown } | string | undefined
  if (typeof body === 'object' && body !== null && typeof body.message === 'string') return body.message
  if (typeof body === 'string') return body
  // The client puts a non-JSON body in its message after the status; drop the status it prefixed.
  const message = error.message.replace(/^\d{3}\s+/, '')
  return message === 'status code (no body)' ? 'no error body' : message
}

function cleanMessage(message: string): string {
  const cleaned = redactCredentials(message.trim()).replace(/\s+/g, ' ')
  if (cleaned === '') return 'no error message'
  return cleaned.length > maxMessageLength ? `${cleaned.slice(0, maxMessageLength)}…` : cleaned
}

/** The most specific reason in a cause chain ("connect ECONNREFUSED 127.0.0.1:9" rather than "fetch failed"). */
function deepestMessage(error: Error): string {
  let message = error.message
  let current: unknown = error.cause
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.message) message = current.message
    current = current.cause
  }
  return message
}

function isAbortLike(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
