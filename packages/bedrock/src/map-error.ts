import { AbortError, ContextWindowOverflowError, ModelError, ModelThrottledError } from '@agent/core'

/** Bedrock's wording when the request does not fit the model (ValidationException messages). */
const contextOverflowPatterns = [
  /input is too long/i,
  /prompt is too long/i,
  /input length and `?max_tokens`? exceed context limit/i,
  /too many total text bytes/i,
  /too many input tokens/i,
  /exceeds? the (?:model's )?(?:maximum )?context (?:window|length)/i,
  /model_context_window_exceeded/i,
]

/** Server-side failures that may pass when tried again. */
const retryableErrorNames = new Set([
  'TimeoutError',
  'InternalServerException',
  'ServiceUnavailableException',
  'ModelStreamErrorException',
  'ModelTimeoutException',
  'ModelNotReadyException',
])

/** Connection failures: nothing was answered, so trying again may work. */
const networkErrorCodes =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ERR_HTTP2_\w+)$/

interface SdkErrorShape {
  name?: string
  message?: string
  $metadata?: { httpStatusCode?: number; requestId?: string }
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> }
  originalStatusCode?: number
  originalMessage?: string
  code?: string
}

/**
 * Turns whatever the SDK threw into one of core's typed errors. An aborted signal always wins: the
 * HTTP/2 handler reports a cancelled request in several ways (AbortError, a stream reset, or nothing).
 */
export function mapBedrockError(error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted)
    return new AbortError('The Bedrock request was aborted.', { cause: signal.reason ?? error })
  if (ModelError.isInstance(error) || AbortError.isInstance(error)) {
    return AbortError.isInstance(error) && !ModelError.isInstance(error)
      ? new AbortError('The Bedrock request was aborted.', { cause: error })
      : (error as Error)
  }
  const sdkError = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape
  const name = sdkError.name ?? 'Error'
  const rawMessage = sdkError.message || sdkError.originalMessage || String(error)
  const status = sdkError.$metadata?.httpStatusCode ?? sdkError.$response?.statusCode
  const where = status === undefined ? '' : ` (HTTP ${status})`
  const requestId = sdkError.$metadata?.requestId ? ` Request id: ${sdkError.$metadata.requestId}.` : ''

  if (name === 'ThrottlingException' || status === 429) {
    return new ModelThrottledError(
      `Bedrock is throttling requests${where}: ${rawMessage}. The agent retries after a pause; if this persists, lower the request rate or ask AWS for a higher quota.${requestId}`,
      { cause: error, status, retryAfterMs: retryAfterMs(sdkError) },
    )
  }
  if (
    (name === 'ValidationException' || name === 'ModelErrorException' || status === 400) &&
    contextOverflowPatterns.some((pattern) => pattern.test(rawMessage))
  ) {
    return new ContextWindowOverflowError(
      `The request is too long for the model's context window: ${rawMessage}. Shorten the conversation or the tool results.${requestId}`,
      { cause: error, status },
    )
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(rawMessage)) {
    return new ModelError(
      'No AWS credentials were found for Bedrock. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK, or pass clientConfig.credentials.',
      { cause: error },
    )
  }
  const networkCode = [sdkError.code, (sdkError as { cause?: { code?: string } }).cause?.code].find(
    (code) => code !== undefined && networkErrorCodes.test(code),
  )
  if (networkCode !== undefined && status === undefined) {
    return new ModelError(
      `Could not reach Bedrock (${networkCode}): ${rawMessage}. Check the network and the endpoint.`,
      { cause: error, retryable: true },
    )
  }
  if (/checksum|prelude|eventstream|event stream/i.test(rawMessage) && status === undefined) {
    return new ModelError(
      `The Bedrock response stream was corrupt (${rawMessage}). Trying again usually helps.`,
      { cause: error, retryable: true },
    )
  }
  const retryable = retryableErrorNames.has(name) || (status !== undefined && status >= 500)
  const upstream =
    sdkError.originalStatusCode !== undefined
      ? ` The model answered ${sdkError.originalStatusCode}${sdkError.originalMessage ? `: ${sdkError.originalMessage}` : ''}.`
      : ''
  return new ModelError(`Bedrock ${name}${where}: ${rawMessage}.${upstream}${hintFor(name)}${requestId}`, {
    cause: error,
    status,
    retryable,
  })
}

function hintFor(name: string): string {
  switch (name) {
    case 'AccessDeniedException':
      return ' Check that the credentials may call bedrock:InvokeModel and that the model is enabled in this region.'
    case 'ExpiredTokenException':
    case 'UnrecognizedClientException':
      return ' Refresh the AWS credentials.'
    case 'ResourceNotFoundException':
      return ' Check the model id and the region (some models need an inference profile id such as us.<model>).'
    case 'ServiceQuotaExceededException':
      return ' A Bedrock quota is used up; ask AWS for a higher quota.'
    default:
      return ''
  }
}

function retryAfterMs(error: SdkErrorShape): number | undefined {
  const value = error.$response?.headers?.['retry-after']
  if (value === undefined) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}
