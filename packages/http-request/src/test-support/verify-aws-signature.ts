import { createHash, createHmac } from 'node:crypto'
import type { RecordedRequest } from './loopback-server.js'

/**
 * Recomputes an AWS Signature Version 4 from the request a server received, written from the published
 * algorithm with node:crypto only, so it checks our signing independently of the signer we use.
 * Handles the plain case our tests send: path of unreserved characters, simple query values.
 */
export function verifyAwsSignature(
  request: RecordedRequest,
  secretAccessKey: string,
): { valid: boolean; scope: string } {
  const authorization = String(request.headers.authorization ?? '')
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    )
  if (match === null) return { valid: false, scope: '' }
  const [, , date, region, service, signedHeaderList, signature] = match as unknown as string[]
  const amzDate = String(request.headers['x-amz-date'])
  const url = new URL(request.url, 'http://placeholder')
  const encode = (text: string) =>
    encodeURIComponent(text).replace(
      /[!'()*]/g,
      (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
    )
  const query = [...url.searchParams]
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .sort()
    .join('&')
  const signedHeaders = signedHeaderList!.split(';')
  const canonicalHeaders = signedHeaders
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('')
  const payloadHash = createHash('sha256').update(request.body).digest('hex')
  const canonicalRequest = [
    request.method,
    url.pathname,
    query,
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n')
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!),
    'aws4_request',
  )
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest('hex')
  return { valid: expected === signature, scope }
}
