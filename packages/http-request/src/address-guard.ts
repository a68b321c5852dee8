import { lookup as systemLookup } from 'node:dns/promises'
import { type HostPattern, matchesAny, normalizeHostname, parseHostPattern } from './host-pattern.js'
import { HttpRequestError } from './http-request-error.js'
import type { HostLookup, ResolvedHttpRequestPolicy } from './http-request-policy.js'
import {
  classifyIpAddress,
  formatIpAddress,
  type IpRange,
  parseIpAddress,
  parseIpRange,
  privateNetworkKinds,
  rangeContains,
} from './ip-address.js'

/** Why an address is refused, or undefined when it may be reached. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string }

/**
 * Decides which hosts and addresses may be contacted. The connector asks it about every address it is
 * about to connect to, so DNS answers and every redirect hop pass through here.
 */
export class AddressGuard {
  private readonly allowedHosts: HostPattern[] | undefined
  private readonly blockedHosts: HostPattern[]
  private readonly allowedRanges: IpRange[]
  private readonly blockedRanges: IpRange[]
  private readonly allowPrivateNetwork: boolean
  private readonly lookup: HostLookup

  constructor(policy: ResolvedHttpRequestPolicy) {
    this.allowedHosts = policy.allowedHosts?.map(parseHostPattern)
    this.blockedHosts = policy.blockedHosts.map(parseHostPattern)
    this.allowedRanges = policy.allowedCidrs.map(parseIpRange)
    this.blockedRanges = policy.blockedCidrs.map(parseIpRange)
    this.allowPrivateNetwork = policy.allowPrivateNetwork
    this.lookup = policy.lookup ?? defaultLookup
  }

  /** Checks a host name (as in a URL) against the host lists. Throws a `blocked` error when refused. */
  checkHost(hostname: string): void {
    if (matchesAny(this.blockedHosts, hostname)) {
      throw new HttpRequestError('blocked', `The host ${hostname} is blocked by the operator's policy.`)
    }
    if (this.allowedHosts !== undefined && !matchesAny(this.allowedHosts, hostname)) {
      throw new HttpRequestError(
        'blocked',
        `The host ${hostname} is not in the operator's list of allowed hosts (${this.allowedHosts.map((pattern) => pattern.text).join(', ')}).`,
      )
    }
  }

  checkAddress(text: string): AddressVerdict {
    const address = parseIpAddress(text)
    if (address === undefined) return { allowed: false, reason: `"${text}" is not an IP address` }
    if (this.blockedRanges.some((range) => rangeContains(range, address))) {
      return { allowed: false, reason: 'its range is blocked by the operator' }
    }
    if (this.allowedRanges.some((range) => rangeContains(range, address))) return { allowed: true }
    const kind = classifyIpAddress(address)
    if (kind === 'public') return { allowed: true }
    if (this.allowPrivateNetwork && privateNetworkKinds.has(kind)) return { allowed: true }
    const hint = privateNetworkKinds.has(kind)
      ? ' (an operator can allow it with allowPrivateNetwork or allowedCidrs)'
      : ''
    return { allowed: false, reason: `it is a ${kind} address${hint}` }
  }

  /**
   * The addresses to connect to for a host: the literal address itself, or every DNS answer. Throws
   * when any answer is refused: a name that mixes public and internal answers is an attack.
   */
  async resolve(hostname: string): Promise<string[]> {
    const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
    const literal = parseIpAddress(bare)
    if (literal !== undefined) {
      const address = formatIpAddress(literal)
      this.assertAllowed(hostname, address)
      return [address]
    }
    let answers: ReadonlyArray<{ address: string } | string>
    try {
      answers = await this.lookup(normalizeHostname(hostname))
    } catch (error) {
      throw new HttpRequestError(
        'network',
        `Could not resolve the host ${hostname} (${(error as { code?: string }).code ?? (error as Error).message}). Check the URL.`,
        { cause: error },
      )
    }
    const addresses = answers.map((answer) => (typeof answer === 'string' ? answer : answer.address))
    if (addresses.length === 0) {
      throw new HttpRequestError('network', `The host ${hostname} has no addresses. Check the URL.`)
    }
    // Connect to exactly the text that was checked, in canonical form.
    return addresses.map((address) => {
      this.assertAllowed(hostname, address)
      return formatIpAddress(parseIpAddress(address)!)
    })
  }

  private assertAllowed(hostname: string, address: string): void {
    const verdict = this.checkAddress(address)
    if (verdict.allowed) return
    const shown = hostname === address || hostname === `[${address}]` ? address : `${hostname} (${address})`
    throw new HttpRequestError(
      'blocked',
      `Refused to connect to ${shown}: ${verdict.reason}. Only public internet addresses may be requested.`,
    )
  }
}

const defaultLookup: HostLookup = async (hostname) =>
  (await systemLookup(hostname, { all: true, order: 'verbatim' })).map((answer) => ({
    address: answer.address,
    family: answer.family === 6 ? 6 : 4,
  }))
