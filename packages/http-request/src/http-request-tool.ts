import { STATUS_CODES } from 'node:http'
import { type JsonObject, type Tool, tool } from '@agent/core'
import { Agent as UndiciAgent, request as undiciRequest } from 'undici'
import { z } from 'zod'
import { AddressGuard } from './address-guard.js'
import { type Authentication, AuthenticationContext, authTypes } from './authentication.js'
import { formatResponseBody } from './format-response-body.js'
import { createGuardedConnector } from './guarded-connector.js'
import { HttpRequestError } from './http-request-error.js'
import {
  type HttpRequestPolicy,
  type ResolvedHttpRequestPolicy,
  resolvePolicy,
  safeMethods,
} from './http-request-policy.js'
import { acceptedEncodings, readResponseBody } from './read-response-body.js'
import { validateModelHeaders, withoutCredentials } from './request-headers.js'

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

const maxUrlLength = 8192

export const httpRequestInputSchema = z.object({
  method: z.enum(httpMethods).describe('HTTP method.'),
  url: z
    .string()
    .min(1)
    .max(maxUrlLength)
    .describe('Absolute http:// or https:// URL, without user:password@.'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'Request headers. Host, Connection, Transfer-Encoding and other connection headers are not allowed.',
    ),
  body: z.string().optional().describe('Request body (text or JSON text). Not allowed with GET or HEAD.'),
  auth_type: z
    .enum(authTypes)
    .optional()
    .describe(
      'How to send the credential: Bearer / token / custom (Authorization header), basic ("user:password"), api_key (X-API-Key), aws_sig_v4 (signed with the AWS credentials of this host).',
    ),
  auth_token: z.string().optional().describe('The credential itself. Prefer auth_env_var.'),
  auth_env_var: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe(
      'Name of an environment variable holding the credential; the operator decides which hosts may get it.',
    ),
  aws_region: z
    .string()
    .optional()
    .describe('AWS region for aws_sig_v4 when the host name does not show it.'),
  aws_service: z
    .string()
    .optional()
    .describe('AWS service for aws_sig_v4 when the host name does not show it.'),
  allow_redirects: z.boolean().optional().describe('Follow redirects (default true).'),
  max_redirects: z.number().int().min(0).optional().describe('Redirects to follow at most.'),
  timeout: z.number().positive().optional().describe('Deadline for the whole request, in seconds.'),
  convert_to_markdown: z
    .boolean()
    .optional()
    .describe('Convert an HTML response to Markdown (default false).'),
})

export type HttpRequestInput = z.infer<typeof httpRequestInputSchema>

/** Response headers worth showing the model; others (cookies above all) are left out. */
const shownHeaders = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-disposition',
  'location',
  'date',
  'last-modified',
  'etag',
  'cache-control',
  'expires',
  'retry-after',
  'www-authenticate',
  'link',
  'allow',
  'x-request-id',
])

const redirectStatuses = new Set([301, 302, 303, 307, 308])
const maxShownHeaderLength = 1024

const description = [
  'Sends an HTTP request and returns the status, final URL, redirect chain, selected headers and the body as text.',
  'HTML can be converted to Markdown (convert_to_markdown), JSON is pretty-printed, binary bodies are summarised.',
  'Only public internet hosts can be reached unless the operator allowed more; requests other than GET and HEAD',
  'need the operator’s consent. Large bodies are truncated with a note.',
].join(' ')

/**
 * Makes the http_request tool with an operator policy. Everything the model controls (URL, headers, auth)
 * is checked against the policy; the policy itself is never visible to or changeable by the model.
 */
export function createHttpRequestTool(policy: HttpRequestPolicy = {}): Tool {
  const resolved = resolvePolicy(policy)
  const guard = new AddressGuard(resolved)
  const authentication = new AuthenticationContext(resolved)
  return tool<HttpRequestInput>({
    name: 'http_request',
    description,
    inputSchema: httpRequestInputSchema,
    // Our own deadline ends the exchange; the agent's per-tool timeout is only a backstop.
    timeoutMs: resolved.timeoutMs + 5_000,
    // The body text is already cut at maxResultCharacters (with a note); this leaves room for the summary.
    maxResultChars: resolved.maxResultCharacters + 20_000,
    callback: (input, context) => sendRequest(input, context.signal, resolved, guard, authentication),
  })
}

/** The http_request tool with the default, safe policy: public internet only, GET and HEAD only. */
export const httpRequest: Tool = createHttpRequestTool()

interface RedirectHop {
  status: number
  url: string
}

async function sendRequest(
  input: HttpRequestInput,
  callerSignal: AbortSignal,
  policy: ResolvedHttpRequestPolicy,
  guard: AddressGuard,
  authentication: AuthenticationContext,
): Promise<{ status: 'success'; content: Array<{ json: JsonObject } | { text: string }> }> {
  const deadlineMs = Math.min(policy.timeoutMs, input.timeout === undefined ? Infinity : input.timeout * 1000)
  const originalUrl = parseRequestUrl(input.url, 'The url')
  const modelHeaders = validateModelHeaders(input.headers)
  let method: string = input.method
  let body = input.body
  if (body !== undefined && safeMethods.has(method)) {
    throw new HttpRequestError('invalid_request', `A ${method} request cannot have a body; use POST or PUT.`)
  }
  const bodyBytes = body === undefined ? 0 : Buffer.byteLength(body)
  if (bodyBytes > policy.maxRequestBodyBytes) {
    throw new HttpRequestError(
      'invalid_request',
      `The body is ${bodyBytes} bytes; the operator allows at most ${policy.maxRequestBodyBytes}.`,
    )
  }
  const maxRedirects =
    input.allow_redirects === false ? 0 : Math.min(policy.maxRedirects, input.max_redirects ?? Infinity)
  await checkDestination(originalUrl, guard)
  await askConsent(policy, method, originalUrl, modelHeaders, bodyBytes, false)
  const auth = authentication.prepare(input, originalUrl)
  const secrets = auth?.secrets ?? []

  const controller = new AbortController()
  const deadline = setTimeout(() => controller.abort(new DeadlineSignal()), deadlineMs)
  const onCallerAbort = () => controller.abort(callerSignal.reason)
  if (callerSignal.aborted) onCallerAbort()
  else callerSignal.addEventListener('abort', onCallerAbort, { once: true })
  const dispatcher = new UndiciAgent({
    connect: createGuardedConnector(guard, { connectTimeoutMs: deadlineMs, ca: policy.ca }),
    // The deadline below governs; these only stop undici from giving up earlier with its own defaults.
    headersTimeout: deadlineMs + 1_000,
    bodyTimeout: deadlineMs + 1_000,
    keepAliveTimeout: 1,
  })

  const redirects: RedirectHop[] = []
  let url = originalUrl
  const progress = { bytes: 0 }
  try {
    while (true) {
      // Signing may wait on a credential provider: the deadline covers that wait too.
      const headers = await untilAborted(
        hopHeaders(url, originalUrl, method, modelHeaders, body, auth),
        controller.signal,
      )
      const response = await undiciRequest(url, {
        method: method as 'GET',
        headers,
        body,
        dispatcher,
        signal: controller.signal,
      })
      const location = headerValue(response.headers.location)
      if (
        redirectStatuses.has(response.statusCode) &&
        location !== undefined &&
        input.allow_redirects !== false
      ) {
        discard(response.body)
        if (redirects.length >= maxRedirects) {
          throw new HttpRequestError(
            'redirect',
            `Stopped after ${redirects.length} redirects (the limit is ${maxRedirects}); the last one pointed to ${location.slice(0, 200)}.`,
          )
        }
        const next = parseRequestUrl(new URL(location, url).href, `The redirect from ${url.href}`)
        await checkDestination(next, guard)
        redirects.push({ status: response.statusCode, url: url.href })
        // 303, and 301/302 after a POST, turn into a GET without a body, as browsers do.
        if (
          response.statusCode === 303 ||
          ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')
        ) {
          if (method !== 'HEAD') method = 'GET'
          body = undefined
        } else if (!safeMethods.has(method) && next.origin !== url.origin) {
          await askConsent(policy, method, next, modelHeaders, bodyBytes, true)
        }
        url = next
        continue
      }

      const bodyResult =
        method === 'HEAD'
          ? { bytes: Buffer.alloc(0), truncated: false, undecodedEncodings: [] }
          : await readResponseBody(
              response.body,
              headerValue(response.headers['content-encoding']),
              policy.maxResponseBytes,
              controller.signal,
              progress,
            )
      const formatted = formatResponseBody(bodyResult.bytes, {
        contentType: headerValue(response.headers['content-type']),
        convertToMarkdown: input.convert_to_markdown === true,
        baseUrl: url.href,
        truncated: bodyResult.truncated,
        maxHtmlBytes: policy.maxHtmlBytes,
        htmlConversionTimeMs: policy.htmlConversionTimeMs,
      })
      const notes = [...formatted.notes]
      if (bodyResult.truncated) {
        notes.unshift(`the body was longer than ${policy.maxResponseBytes} bytes and was truncated there`)
      }
      if (bodyResult.undecodedEncodings.length > 0) {
        notes.push(
          `content encoding ${bodyResult.undecodedEncodings.join(', ')} is not supported; bytes are as sent`,
        )
      }
      let text = formatted.text
      const cut = text.length > policy.maxResultCharacters
      if (cut) {
        notes.push(`the text was cut to ${policy.maxResultCharacters} of ${text.length} characters`)
        text = text.slice(0, policy.maxResultCharacters)
      }
      if (notes.length > 0) text += `\n\n[Note: ${notes.join('; ')}.]`
      const summary: JsonObject = {
        status: response.statusCode,
        statusText: STATUS_CODES[response.statusCode] ?? '',
        url: url.href,
        redirects: redirects.map((hop) => ({ status: hop.status, url: hop.url })),
        headers: selectHeaders(response.headers),
        body: {
          format: formatted.format,
          bytes: bodyResult.bytes.length,
          truncated: bodyResult.truncated || cut,
          ...(formatted.title === undefined ? {} : { title: formatted.title }),
          ...(notes.length > 0 ? { notes } : {}),
        },
      }
      const content: Array<{ json: JsonObject } | { text: string }> = [
        { json: redactJson(summary, secrets) as JsonObject },
      ]
      if (text !== '') content.push({ text: redact(text, secrets) })
      return { status: 'success', content }
    }
  } catch (error) {
    throw translateError(error, controller.signal, url, deadlineMs, progress.bytes, secrets)
  } finally {
    clearTimeout(deadline)
    callerSignal.removeEventListener('abort', onCallerAbort)
    dispatcher.destroy().catch(() => {})
  }
}

function untilAborted<Value>(promise: Promise<Value>, signal: AbortSignal): Promise<Value> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<Value>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Drops a body we will not read; destroying it emits an error nobody needs to see. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => {})
  body.destroy()
}

class DeadlineSignal extends Error {
  override name = 'TimeoutError'
}

function parseRequestUrl(text: string, what: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new HttpRequestError('invalid_request', `${what} "${text.slice(0, 200)}" is not an absolute URL.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpRequestError(
      'blocked',
      `${what} uses the scheme ${url.protocol.slice(0, 20)}; only http: and https: are allowed.`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new HttpRequestError(
      'invalid_request',
      `${what} holds credentials (user:password@); send them with auth_type and auth_env_var instead.`,
    )
  }
  if (url.href.length > maxUrlLength) {
    throw new HttpRequestError('invalid_request', `${what} is longer than ${maxUrlLength} characters.`)
  }
  url.hash = ''
  return url
}

/** Host lists, and literal addresses checked before any connection (DNS names are checked by the connector). */
async function checkDestination(url: URL, guard: AddressGuard): Promise<void> {
  guard.checkHost(url.hostname)
  if (url.hostname.startsWith('[') || /^[\d.]+$/.test(url.hostname)) await guard.resolve(url.hostname)
}

async function askConsent(
  policy: ResolvedHttpRequestPolicy,
  method: string,
  url: URL,
  headers: Record<string, string>,
  bodyBytes: number,
  redirect: boolean,
): Promise<void> {
  if (safeMethods.has(method)) return
  let allowed: boolean
  try {
    allowed = await policy.consent({
      method,
      url: url.href,
      headerNames: Object.keys(headers),
      bodyBytes,
      redirect,
    })
  } catch (error) {
    throw new HttpRequestError(
      'consent_denied',
      `The ${method} request to ${url.host} was not approved (the consent check failed).`,
      {
        cause: error,
      },
    )
  }
  if (allowed !== true) {
    throw new HttpRequestError(
      'consent_denied',
      `The ${method} request to ${url.host} was not approved. Only GET and HEAD are allowed unless the operator consents; do not retry it.`,
    )
  }
}

async function hopHeaders(
  url: URL,
  originalUrl: URL,
  method: string,
  modelHeaders: Record<string, string>,
  body: string | undefined,
  auth: Authentication | undefined,
): Promise<Record<string, string>> {
  const sameOrigin = url.origin === originalUrl.origin
  // Credentials never follow a redirect to another origin: not ours, not the model's.
  const headers: Record<string, string> = {
    'user-agent': 'agent-sdk-http-request/0.1',
    'accept-encoding': acceptedEncodings,
    ...(sameOrigin ? modelHeaders : withoutCredentials(modelHeaders)),
  }
  if (body !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8'
  }
  if (body === undefined) delete headers['content-type']
  if (sameOrigin && auth !== undefined)
    Object.assign(headers, await auth.headersFor({ method, url, headers, body }))
  return headers
}

function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0]
  if (start !== '{' && start !== '[') return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

function selectHeaders(headers: Record<string, string | string[] | undefined>): JsonObject {
  const selected: JsonObject = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || !(shownHeaders.has(lower) || lower.includes('ratelimit'))) continue
    selected[lower] = headerValue(value)!.slice(0, maxShownHeaderLength)
  }
  return selected
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]')
  }
  return out
}

function redactJson(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value
  return JSON.parse(
    redact(
      JSON.stringify(value),
      secrets.map((secret) => JSON.stringify(secret).slice(1, -1)),
    ),
  )
}

function translateError(
  error: unknown,
  signal: AbortSignal,
  url: URL,
  deadlineMs: number,
  receivedBytes: number,
  secrets: readonly string[],
): HttpRequestError {
  if (HttpRequestError.isInstance(error)) return error
  if (signal.aborted) {
    if (signal.reason instanceof DeadlineSignal) {
      return new HttpRequestError(
        'timeout',
        `The request to ${url.host} did not complete within ${deadlineMs} ms${receivedBytes > 0 ? ` (${receivedBytes} body bytes received)` : ''}. The server may be slow or the body too long; try a smaller resource or a longer timeout.`,
        { cause: error },
      )
    }
    return new HttpRequestError('aborted', `The request to ${url.host} was cancelled.`, { cause: error })
  }
  const cause = error as { code?: string; message?: string; cause?: { code?: string } }
  const code = cause.code ?? cause.cause?.code
  const detail = describeNetworkError(code, cause.message ?? String(error))
  return new HttpRequestError('network', redact(`The request to ${url.host} failed: ${detail}`, secrets), {
    cause: error,
  })
}

function describeNetworkError(code: string | undefined, message: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (nothing listens there).'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `the connection was closed or reset before the response was complete (${message}).`
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'the response body did not match its Content-Length.'
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return `the server sent a malformed HTTP response (${message}).`
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_BROTLI_DECOMPRESSION_FAILED':
      return `the body could not be decompressed (${message}).`
    default:
      return code === undefined ? `${message}.` : `${message} (${code}).`
  }
}
