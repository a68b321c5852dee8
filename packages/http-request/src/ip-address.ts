import { isIPv4, isIPv6 } from 'node:net'

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  readonly family: 4 | 6
  readonly bytes: Uint8Array
}

/** A range of addresses, `address/prefixLength`. */
export interface IpRange {
  readonly family: 4 | 6
  readonly bytes: Uint8Array
  readonly prefixLength: number
}

/**
 * What kind of address this is. Only `public` is ordinary public unicast; the private kinds can be
 * opened with `allowPrivateNetwork`; the rest are never reached unless an operator lists the range.
 */
export type AddressKind =
  | 'public'
  // Reachable only inside a host or site: opened by allowPrivateNetwork.
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  // Never ordinary destinations.
  | 'cloud-metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'tunnel'
  | 'reserved'

export const privateNetworkKinds: ReadonlySet<AddressKind> = new Set([
  'loopback',
  'private',
  'shared',
  'link-local',
  'unique-local',
])

/**
 * Parses an address in canonical text form (`net.isIP` accepts it). Host names that only look like
 * addresses (`0x7f.1`, `2130706433`) are normalised by the URL parser before they get here, and DNS
 * answers are canonical, so only canonical forms are accepted: anything else is not an address.
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (isIPv4(bare)) return { family: 4, bytes: parseIpv4(bare) }
  if (isIPv6(bare)) {
    // Zone ids (`fe80::1%eth0`) name an interface, not a host: drop them for classification.
    const zoneStart = bare.indexOf('%')
    return { family: 6, bytes: parseIpv6(zoneStart === -1 ? bare : bare.slice(0, zoneStart)) }
  }
  return undefined
}

function parseIpv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.'), (part) => Number.parseInt(part, 10))
}

function parseIpv6(text: string): Uint8Array {
  const bytes = new Uint8Array(16)
  let head = text
  let tail = ''
  const gap = text.indexOf('::')
  if (gap !== -1) {
    head = text.slice(0, gap)
    tail = text.slice(gap + 2)
  }
  const headGroups = groupsOf(head)
  const tailGroups = groupsOf(tail)
  headGroups.forEach((group, index) => {
    bytes[index * 2] = group >> 8
    bytes[index * 2 + 1] = group & 0xff
  })
  const tailStart = 8 - tailGroups.length
  tailGroups.forEach((group, index) => {
    bytes[(tailStart + index) * 2] = group >> 8
    bytes[(tailStart + index) * 2 + 1] = group & 0xff
  })
  return bytes
}

/** The 16-bit groups of one side of `::`; a trailing dotted IPv4 part counts as two groups. */
function groupsOf(text: string): number[] {
  if (text === '') return []
  const groups: number[] = []
  for (const part of text.split(':')) {
    if (part.includes('.')) {
      const [a, b, c, d] = parseIpv4(part)
      groups.push(((a ?? 0) << 8) | (b ?? 0), ((c ?? 0) << 8) | (d ?? 0))
    } else {
      groups.push(Number.parseInt(part, 16))
    }
  }
  return groups
}

/** Canonical text of an address (IPv6 compressed, as `URL` prints it, without brackets). */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) return Array.from(address.bytes).join('.')
  return new URL(`http://[${ipv6Text(address.bytes)}]/`).hostname.slice(1, -1)
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = []
  for (let index = 0; index < 16; index += 2) {
    groups.push((((bytes[index] ?? 0) << 8) | (bytes[index + 1] ?? 0)).toString(16))
  }
  return groups.join(':')
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address (a /32 or /128). Throws a TypeError when invalid. */
export function parseIpRange(text: string): IpRange {
  const slash = text.indexOf('/')
  const addressText = slash === -1 ? text : text.slice(0, slash)
  const address = parseIpAddress(addressText.trim())
  const maxLength = address?.family === 6 ? 128 : 32
  const prefixText = slash === -1 ? String(maxLength) : text.slice(slash + 1).trim()
  const prefixLength = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN
  if (address === undefined || !(prefixLength >= 0 && prefixLength <= maxLength)) {
    throw new TypeError(
      `"${text}" is not an address range: write it as an address with an optional prefix length, such as "10.0.0.0/8", "127.0.0.1" or "fd00::/8".`,
    )
  }
  return { family: address.family, bytes: address.bytes, prefixLength }
}

/** True when `address` lies in `range`. IPv4-mapped IPv6 addresses match IPv4 ranges. */
export function rangeContains(range: IpRange, address: IpAddress): boolean {
  const candidate = range.family === 4 && address.family === 6 ? embeddedMappedIpv4(address) : address
  if (candidate === undefined || candidate.family !== range.family) return false
  return prefixMatches(candidate.bytes, range.bytes, range.prefixLength)
}

function prefixMatches(bytes: Uint8Array, prefix: Uint8Array, prefixLength: number): boolean {
  const wholeBytes = prefixLength >> 3
  for (let index = 0; index < wholeBytes; index += 1) {
    if (bytes[index] !== prefix[index]) return false
  }
  const remainingBits = prefixLength & 7
  if (remainingBits === 0) return true
  const mask = (0xff << (8 - remainingBits)) & 0xff
  return ((bytes[wholeBytes] ?? 0) & mask) === ((prefix[wholeBytes] ?? 0) & mask)
}

function embeddedMappedIpv4(address: IpAddress): IpAddress | undefined {
  if (address.family !== 6 || !prefixMatches(address.bytes, mappedPrefix.bytes, 96)) return undefined
  return { family: 4, bytes: address.bytes.slice(12, 16) }
}

const mappedPrefix = parseIpRange('::ffff:0:0/96')

interface KindRule {
  range: IpRange
  kind: AddressKind
}

function rules(entries: Array<[string, AddressKind]>): KindRule[] {
  return entries.map(([range, kind]) => ({ range: parseIpRange(range), kind }))
}

// Checked in order, first match wins: the specific metadata addresses come before their enclosing ranges.
// Sources: the IANA IPv4/IPv6 special-purpose address registries and the cloud providers' metadata docs.
const ipv4Rules = rules([
  ['169.254.169.254/32', 'cloud-metadata'], // AWS, GCP, Azure, OpenStack, DigitalOcean… instance metadata
  ['169.254.169.253/32', 'cloud-metadata'], // AWS VPC DNS resolver
  ['169.254.170.2/32', 'cloud-metadata'], // AWS ECS task credentials
  ['169.254.170.23/32', 'cloud-metadata'], // AWS EKS pod identity
  ['100.100.100.200/32', 'cloud-metadata'], // Alibaba Cloud metadata
  ['168.63.129.16/32', 'cloud-metadata'], // Azure WireServer (a public-looking address)
  ['0.0.0.0/8', 'unspecified'], // "this network": 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'], // carrier-grade NAT
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'reserved'], // AS112
  ['192.52.193.0/24', 'reserved'], // AMT
  ['192.88.99.0/24', 'tunnel'], // deprecated 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'reserved'], // AS112 direct delegation
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
])

const ipv6Rules = rules([
  ['fd00:ec2::254/128', 'cloud-metadata'], // AWS instance metadata over IPv6
  ['fd00:ec2::23/128', 'cloud-metadata'], // AWS EKS pod identity over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001::/32', 'tunnel'], // Teredo: the real destination is hidden in the address
  ['2001::/23', 'reserved'], // IETF protocol assignments
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
])

const globalUnicast = parseIpRange('2000::/3')
const nat64Prefix = parseIpRange('64:ff9b::/96')
const ipv4CompatiblePrefix = parseIpRange('::/96')
const sixToFourPrefix = parseIpRange('2002::/16')

/**
 * Classifies an address. IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible,
 * NAT64, 6to4) are classified by the IPv4 address they lead to.
 */
export function classifyIpAddress(address: IpAddress): AddressKind {
  if (address.family === 4) return firstMatch(ipv4Rules, address) ?? 'public'
  const bytes = address.bytes
  const listed = firstMatch(ipv6Rules, address)
  if (listed !== undefined) return listed
  if (
    prefixMatches(bytes, mappedPrefix.bytes, 96) ||
    prefixMatches(bytes, nat64Prefix.bytes, 96) ||
    prefixMatches(bytes, ipv4CompatiblePrefix.bytes, 96)
  ) {
    return classifyIpAddress({ family: 4, bytes: bytes.slice(12, 16) })
  }
  if (prefixMatches(bytes, sixToFourPrefix.bytes, 16)) {
    return classifyIpAddress({ family: 4, bytes: bytes.slice(2, 6) })
  }
  // Outside 2000::/3 nothing is assigned as ordinary unicast.
  return prefixMatches(bytes, globalUnicast.bytes, 3) ? 'public' : 'reserved'
}

function firstMatch(list: KindRule[], address: IpAddress): AddressKind | undefined {
  for (const rule of list) {
    if (rangeContains(rule.range, address)) return rule.kind
  }
  return undefined
}
