import { positiveOption } from '@agent/core/provider'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'

/** One DNS answer. */
export interface LookupAddress {
  address: string
  family: 4 | 6
}

/** Resolves a host name to every address it has. The default is `dns.lookup(host, { all: true })`. */
export type HostLookup = (hostname: string) => Promise<ReadonlyArray<LookupAddress | string>>

/** What the consent callback is asked about. */
export interface ConsentRequest {
  method: string
  url: string
  /** Names of the headers the model set (values are not shown: they may be secrets). */
  headerNames: string[]
  bodyBytes: number
  /** True when a 307/308 redirect would send the request on to another origin. */
  redirect: boolean
}

/** Decides whether a request that may change something (anything but GET and HEAD) may be sent. */
export type ConsentCallback = (request: ConsentRequest) => boolean | Promise<boolean>

/** The operator's rules for the http_request tool. Every field is optional; the defaults are the safe ones. */
export interface HttpRequestPolicy {
  /**
   * When set, only these hosts may be contacted: `example.com` (that host) or `*.example.com` (its
   * subdomains). Redirects are held to the same list.
   */
  allowedHosts?: readonly string[]
  /** Hosts never contacted, same patterns as `allowedHosts`. Wins over every allow rule. */
  blockedHosts?: readonly string[]
  /**
   * Address ranges (`10.1.2.0/24`, `127.0.0.1`, `fd00::/8`) that may be reached although they are not public
   * unicast. An exception for named internal services; it does not restrict public addresses.
   */
  allowedCidrs?: readonly string[]
  /** Address ranges never reached. Wins over every allow rule. */
  blockedCidrs?: readonly string[]
  /**
   * Allows loopback, private (RFC 1918), shared (CGNAT), link-local and unique-local addresses.
   * Cloud metadata endpoints, unspecified, multicast and reserved addresses stay blocked. Default false.
   */
  allowPrivateNetwork?: boolean
  /** Cap on the decoded response body read (bytes); beyond it the body is truncated with a note. Default 1 MiB. */
  maxResponseBytes?: number
  /** Cap on the body text handed back to the model (characters). Default 100 000. */
  maxResultCharacters?: number
  /** Deadline over the whole exchange (DNS, connect, every redirect, the whole body), ms. Default 30 000. */
  timeoutMs?: number
  /** Redirects followed at most. Default 5; the model may ask for fewer, never more. */
  maxRedirects?: number
  /** Cap on the request body the model may send (bytes). Default 1 MiB. */
  maxRequestBodyBytes?: number
  /**
   * Asked before any request other than GET and HEAD is sent. Default: such requests are refused, since the
   * model may have been prompt-injected by a page it read.
   */
  consent?: ConsentCallback
  /**
   * Environment variables the model may name in `auth_env_var`, each with the hosts (patterns as in
   * `allowedHosts`) allowed to receive it. Default: none.
   */
  environmentSecrets?: Readonly<Record<string, readonly string[]>>
  /** Hosts that may receive requests signed with the AWS credentials of this process. Default: none. */
  awsSigV4Hosts?: readonly string[]
  /** Credentials for `aws_sig_v4`. Default: the AWS SDK's default credential chain. */
  awsCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider
  /** Region for `aws_sig_v4` when neither the input nor the host name gives one. Default: `AWS_REGION`. */
  awsRegion?: string
  /** Resolves host names; every answer is checked. Default: the system resolver. */
  lookup?: HostLookup
  /** HTML larger than this is converted only up to here (bytes). Default 1 MiB. */
  maxHtmlBytes?: number
  /** HTML conversion stops after this long, keeping what it made (ms). Default 2 000. */
  htmlConversionTimeMs?: number
  /** Extra CA certificates to trust for HTTPS (PEM), for internal services. Default: the system's. */
  ca?: string | readonly string[]
}

export interface ResolvedHttpRequestPolicy {
  allowedHosts: readonly string[] | undefined
  blockedHosts: readonly string[]
  allowedCidrs: readonly string[]
  blockedCidrs: readonly string[]
  allowPrivateNetwork: boolean
  maxResponseBytes: number
  maxResultCharacters: number
  timeoutMs: number
  maxRedirects: number
  maxRequestBodyBytes: number
  consent: ConsentCallback
  environmentSecrets: Readonly<Record<string, readonly string[]>>
  awsSigV4Hosts: readonly string[]
  awsCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined
  awsRegion: string | undefined
  lookup: HostLookup | undefined
  maxHtmlBytes: number
  htmlConversionTimeMs: number
  ca: string | readonly string[] | undefined
}

export const safeMethods: ReadonlySet<string> = new Set(['GET', 'HEAD'])

/** The default consent: only GET and HEAD. */
export const refuseMutatingRequests: ConsentCallback = (request) => safeMethods.has(request.method)

export const defaultPolicy = {
  maxResponseBytes: 1024 * 1024,
  maxResultCharacters: 100_000,
  timeoutMs: 30_000,
  maxRedirects: 5,
  maxRequestBodyBytes: 1024 * 1024,
  maxHtmlBytes: 1024 * 1024,
  htmlConversionTimeMs: 2_000,
} as const

export function resolvePolicy(policy: HttpRequestPolicy): ResolvedHttpRequestPolicy {
  return {
    allowedHosts: policy.allowedHosts,
    blockedHosts: policy.blockedHosts ?? [],
    allowedCidrs: policy.allowedCidrs ?? [],
    blockedCidrs: policy.blockedCidrs ?? [],
    allowPrivateNetwork: policy.allowPrivateNetwork ?? false,
    maxResponseBytes: positiveInteger(
      policy.maxResponseBytes,
      defaultPolicy.maxResponseBytes,
      'maxResponseBytes',
    ),
    maxResultCharacters: positiveInteger(
      policy.maxResultCharacters,
      defaultPolicy.maxResultCharacters,
      'maxResultCharacters',
    ),
    timeoutMs: positiveInteger(policy.timeoutMs, defaultPolicy.timeoutMs, 'timeoutMs'),
    maxRedirects: nonNegativeInteger(policy.maxRedirects, defaultPolicy.maxRedirects, 'maxRedirects'),
    maxRequestBodyBytes: nonNegativeInteger(
      policy.maxRequestBodyBytes,
      defaultPolicy.maxRequestBodyBytes,
      'maxRequestBodyBytes',
    ),
    consent: policy.consent ?? refuseMutatingRequests,
    environmentSecrets: policy.environmentSecrets ?? {},
    awsSigV4Hosts: policy.awsSigV4Hosts ?? [],
    awsCredentials: policy.awsCredentials,
    awsRegion: policy.awsRegion,
    lookup: policy.lookup,
    maxHtmlBytes: positiveInteger(policy.maxHtmlBytes, defaultPolicy.maxHtmlBytes, 'maxHtmlBytes'),
    htmlConversionTimeMs: positiveInteger(
      policy.htmlConversionTimeMs,
      defaultPolicy.htmlConversionTimeMs,
      'htmlConversionTimeMs',
    ),
    ca: policy.ca,
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  return positiveOption(value, fallback, `HttpRequestPolicy.${name}`, 'integer')
}

function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`HttpRequestPolicy.${name} must be a whole number ≥ 0, got ${value}.`)
  }
  return value
}
