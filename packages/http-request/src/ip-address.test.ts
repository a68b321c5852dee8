import { describe, expect, it } from 'vitest'
import { classifyIpAddress, parseIpAddress, parseIpRange, rangeContains } from './ip-address.js'

function kindOf(text: string) {
  const address = parseIpAddress(text)
  if (address === undefined) throw new Error(`not an address: ${text}`)
  return classifyIpAddress(address)
}

describe('classifyIpAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['169.254.169.254', 'cloud-metadata'],
    ['169.254.170.2', 'cloud-metadata'],
    ['100.100.100.200', 'cloud-metadata'],
    ['168.63.129.16', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['2001:0:4136:e378::1', 'tunnel'],
    ['fec0::1', 'reserved'],
    ['100::1', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(kindOf(address)).toBe(kind)
  })

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'cloud-metadata'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'], // IPv4-compatible (deprecated)
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 to 127.0.0.1
    ['64:ff9b::808:808', 'public'], // NAT64 to 8.8.8.8
    ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', 'cloud-metadata'], // 6to4 of 169.254.169.254
    ['2002:808:808::1', 'public'],
  ])('IPv6 %s that carries IPv4 is classified by the IPv4 address (%s)', (address, kind) => {
    expect(kindOf(address)).toBe(kind)
  })

  it('accepts only canonical forms; host-name look-alikes are not addresses', () => {
    expect(parseIpAddress('0x7f.1')).toBeUndefined()
    expect(parseIpAddress('2130706433')).toBeUndefined()
    expect(parseIpAddress('127.1')).toBeUndefined()
    expect(parseIpAddress('[::1]')?.family).toBe(6)
    expect(parseIpAddress('fe80::1%eth0')?.family).toBe(6)
  })
})

describe('parseIpRange', () => {
  it('parses ranges and single addresses and matches members only', () => {
    const range = parseIpRange('10.1.0.0/16')
    expect(rangeContains(range, parseIpAddress('10.1.200.3')!)).toBe(true)
    expect(rangeContains(range, parseIpAddress('10.2.0.1')!)).toBe(false)
    const single = parseIpRange('127.0.0.1')
    expect(single.prefixLength).toBe(32)
    expect(rangeContains(single, parseIpAddress('127.0.0.2')!)).toBe(false)
    const odd = parseIpRange('172.16.0.0/12')
    expect(rangeContains(odd, parseIpAddress('172.31.1.1')!)).toBe(true)
    expect(rangeContains(odd, parseIpAddress('172.32.0.1')!)).toBe(false)
  })

  it('matches IPv4-mapped IPv6 addresses against IPv4 ranges', () => {
    expect(rangeContains(parseIpRange('127.0.0.0/8'), parseIpAddress('::ffff:127.0.0.1')!)).toBe(true)
    expect(rangeContains(parseIpRange('fd00::/8'), parseIpAddress('127.0.0.1')!)).toBe(false)
  })

  it.each(['10.0.0.0/33', 'fd00::/129', 'example.com/8', '10.0.0.0/x', '', '0x7f.1/8'])(
    'rejects %j with a TypeError that shows the right form',
    (text) => {
      expect(() => parseIpRange(text)).toThrow(/is not an address range/)
    },
  )
})
