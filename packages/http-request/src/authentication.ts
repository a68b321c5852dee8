import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { type HostPattern, matchesAny, parseHostPattern } from './host-pattern.js'
import { HttpRequestError } from './http-request-error.js'
import type { ResolvedHttpRequestPolicy } from './http-request-policy.js'

export const authTypes = ['Bearer', 'token', 'basic', 'api_key', 'custom', 'aws_sig_v4'] as const
export type AuthType = (typeof authTypes)[number]

export interface AuthenticationInput {
  auth_type?: AuthType | undefined
  auth_token?: string | undefined
  auth_env_var?: string | undefined
  aws_region?: string | undefined
  aws_service?: string | undefined
}

/** What a hop needs to be signed: the request exactly as it will be sent. */
export interface SignableRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body: string | undefined
}

/** Adds credentials to requests that stay on the origin they were given for. */
export interface Authentication {
  /** Headers to add to this request (it is on the original origin). */
  headersFor(request: SignableRequest): Promise<Record<string, string>>
  /** Secret values to scrub from anything handed back to the model. */
  readonly secrets: readonly string[]
}

/** Everything auth needs from the tool instance that lives across calls. */
export class AuthenticationContext {
  private readonly environmentSecrets: Map<string, HostPattern[]>
  private readonly awsSigV4Hosts: HostPattern[]
  private awsCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined
  private readonly awsRegion: string | undefined

  constructor(policy: ResolvedHttpRequestPolicy) {
    this.environmentSecrets = new Map(
      Object.entries(policy.environmentSecrets).map(([name, hosts]) => [name, hosts.map(parseHostPattern)]),
    )
    this.awsSigV4Hosts = policy.awsSigV4Hosts.map(parseHostPattern)
    this.awsCredentials = policy.awsCredentials
    this.awsRegion = policy.awsRegion
  }

  /** Checks the input against the policy before anything is sent; undefined when no auth was asked for. */
  prepare(input: AuthenticationInput, url: URL): Authentication | undefined {
    const { auth_type: requestedType, auth_token: token, auth_env_var: variable } = input
    if (requestedType === undefined && token === undefined && variable === undefined) return undefined
    if (requestedType === 'aws_sig_v4') return this.prepareAwsSigV4(input, url)
    if (token !== undefined && variable !== undefined) {
      throw new HttpRequestError('invalid_request', 'Give either auth_token or auth_env_var, not both.')
    }
    const secret = variable === undefined ? token : this.readEnvironmentSecret(variable, url)
    if (secret === undefined || secret === '') {
      throw new HttpRequestError(
        'invalid_request',
        `auth_type "${requestedType}" needs a credential: give auth_token, or auth_env_var naming an environment variable the operator allowed.`,
      )
    }
    if (hasControlCharacter(secret)) {
      throw new HttpRequestError('invalid_request', 'The credential holds a line break or control character.')
    }
    const type = requestedType ?? 'Bearer'
    const headers = staticAuthHeaders(type, secret)
    const secrets = [secret, ...Object.values(headers)]
    return { secrets, headersFor: async () => headers }
  }

  private readEnvironmentSecret(variable: string, url: URL): string {
    const hosts = this.environmentSecrets.get(variable)
    if (hosts === undefined) {
      throw new HttpRequestError(
        'blocked',
        `The environment variable ${variable} is not one the operator allowed for auth_env_var.`,
      )
    }
    if (!matchesAny(hosts, url.hostname)) {
      throw new HttpRequestError(
        'blocked',
        `The operator allows ${variable} only for ${hosts.map((host) => host.text).join(', ')}, not for ${url.hostname}.`,
      )
    }
    const value = process.env[variable]
    if (value === undefined || value === '') {
      throw new HttpRequestError(
        'auth',
        `The environment variable ${variable} is not set on this host; ask the operator to set it.`,
      )
    }
    return value
  }

  private prepareAwsSigV4(input: AuthenticationInput, url: URL): Authentication {
    if (input.auth_token !== undefined || input.auth_env_var !== undefined) {
      throw new HttpRequestError(
        'invalid_request',
        'aws_sig_v4 signs with the AWS credentials of this process: do not pass auth_token or auth_env_var.',
      )
    }
    if (!matchesAny(this.awsSigV4Hosts, url.hostname)) {
      throw new HttpRequestError(
        'blocked',
        `The operator has not allowed AWS-signed requests to ${url.hostname}.`,
      )
    }
    const inferred = inferAwsEndpoint(url.hostname)
    const service = input.aws_service ?? inferred.service
    const region =
      input.aws_region ??
      inferred.region ??
      this.awsRegion ??
      process.env.AWS_REGION ??
      process.env.AWS_DEFAULT_REGION
    if (service === undefined) {
      throw new HttpRequestError(
        'invalid_request',
        `Cannot tell the AWS service from ${url.hostname}: give aws_service (for example "execute-api").`,
      )
    }
    if (region === undefined) {
      throw new HttpRequestError(
        'invalid_request',
        `Cannot tell the AWS region from ${url.hostname}: give aws_region (for example "us-east-1").`,
      )
    }
    return {
      secrets: [],
      headersFor: (request) => this.signAwsSigV4(request, service, region),
    }
  }

  private async signAwsSigV4(
    request: SignableRequest,
    service: string,
    region: string,
  ): Promise<Record<string, string>> {
    const [{ SignatureV4 }, { Sha256 }] = await Promise.all([
      import('@smithy/signature-v4'),
      import('@aws-crypto/sha256-js'),
    ])
    if (this.awsCredentials === undefined) {
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node')
      this.awsCredentials = defaultProvider()
    }
    const signer = new SignatureV4({ credentials: this.awsCredentials, region, service, sha256: Sha256 })
    const query: Record<string, string | string[]> = {}
    for (const [key, value] of request.url.searchParams) {
      const existing = query[key]
      query[key] = existing === undefined ? value : [...[existing].flat(), value]
    }
    const unsigned: Record<string, string> = { ...request.headers, host: request.url.host }
    let signed: { headers: Record<string, string> }
    try {
      signed = await signer.sign({
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        port: request.url.port === '' ? undefined : Number(request.url.port),
        path: request.url.pathname,
        query,
        headers: unsigned,
        body: request.body,
      })
    } catch (error) {
      // Credential-chain errors name where they looked, never the secret itself.
      throw new HttpRequestError(
        'auth',
        `Could not sign the request with AWS credentials: ${(error as Error).message}`,
        { cause: error },
      )
    }
    const added: Record<string, string> = {}
    for (const [name, value] of Object.entries(signed.headers)) {
      const lower = name.toLowerCase()
      if (lower !== 'host' && unsigned[lower] !== value) added[lower] = value
    }
    return added
  }
}

function staticAuthHeaders(type: Exclude<AuthType, 'aws_sig_v4'>, secret: string): Record<string, string> {
  switch (type) {
    case 'Bearer':
      return { authorization: `Bearer ${secret}` }
    case 'token':
      return { authorization: `token ${secret}` }
    case 'basic': {
      if (!secret.includes(':')) {
        throw new HttpRequestError(
          'invalid_request',
          'For basic auth give the credential as "user:password".',
        )
      }
      return { authorization: `Basic ${Buffer.from(secret, 'utf8').toString('base64')}` }
    }
    case 'api_key':
      return { 'x-api-key': secret }
    case 'custom':
      return { authorization: secret }
  }
}

/** `service.region.amazonaws.com`, `id.execute-api.region.amazonaws.com`, `id.lambda-url.region.on.aws`. */
export function inferAwsEndpoint(hostname: string): { service?: string; region?: string } {
  const labels = hostname.toLowerCase().split('.')
  const regionIndex = labels.findIndex((label) => /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/.test(label))
  if (regionIndex <= 0) return {}
  const region = labels[regionIndex]
  const serviceLabel = labels[regionIndex - 1]
  const service = serviceLabel === 'lambda-url' ? 'lambda' : serviceLabel
  return { service, region }
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}
