import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LookupAddress } from './http-request-policy.js'
import { createHttpRequestTool, httpRequest } from './http-request-tool.js'
import { directCaller, summaryOf, textOf } from './test-support/call-tool.js'
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js'

// The default policy must refuse every way of naming this machine or its network, before any byte is sent.
describe('default policy: SSRF', () => {
  let ipv4: LoopbackServer
  let ipv6: LoopbackServer
  const call = directCaller(httpRequest)

  beforeAll(async () => {
    ipv4 = await startLoopbackServer((_, response) => response.end('secret internal data'))
    ipv6 = await startLoopbackServer((_, response) => response.end('secret internal data'), '::1')
  })
  afterAll(async () => {
    await ipv4.close()
    await ipv6.close()
  })

  const literalTargets = (port: number, v6Port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://LOCALHOST.:${port}/`,
    `http://127.0.0.1.:${port}/`,
    `http://2130706433:${port}/`, // decimal
    `http://0x7f000001:${port}/`, // hexadecimal
    `http://0x7f.1:${port}/`, // short hexadecimal
    `http://0177.0.0.1:${port}/`, // octal
    `http://0177.0.0.01:${port}/`,
    `http://127.1:${port}/`, // short form
    `http://127.0.1:${port}/`,
    `http://%31%32%37.0.0.1:${port}/`, // percent-encoded
    `http://１２７.０.０.１:${port}/`, // full-width digits
    `http://0.0.0.0:${port}/`, // reaches the local host on Linux
    `http://0:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`, // IPv4-mapped IPv6
    `http://[0:0:0:0:0:ffff:7f00:1]:${port}/`,
    `http://[::ffff:0:7f00:1]:${port}/`.replace('::ffff:0:7f00:1', '::ffff:7f00:1'),
    `http://[::127.0.0.1]:${port}/`, // IPv4-compatible IPv6
    `http://[64:ff9b::7f00:1]:${port}/`, // NAT64
    `http://[2002:7f00:1::1]:${port}/`, // 6to4
    `http://[::1]:${v6Port}/`,
    `http://[0:0:0:0:0:0:0:1]:${v6Port}/`,
    `http://[::]:${v6Port}/`,
    `http://[::]:${port}/`,
  ]

  it('refuses every loopback notation and the target server receives nothing', async () => {
    for (const url of literalTargets(ipv4.port, ipv6.port)) {
      const result = await call({ method: 'GET', url })
      expect(result.status, url).toBe('error')
      expect(textOf(result), url).toMatch(/Refused to connect|not an absolute URL/)
      expect(textOf(result), url).not.toContain('secret internal data')
    }
    expect(ipv4.connectionCount()).toBe(0)
    expect(ipv6.connectionCount()).toBe(0)
    expect(ipv4.requests).toHaveLength(0)
    expect(ipv6.requests).toHaveLength(0)
  })

  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'cloud-metadata'],
    ['http://[fd00:ec2::254]/latest/meta-data/', 'cloud-metadata'],
    ['http://100.100.100.200/latest/meta-data/', 'cloud-metadata'],
    ['http://168.63.129.16/machine', 'cloud-metadata'],
    ['http://0xa9fea9fe/', 'cloud-metadata'],
    ['http://2852039166/', 'cloud-metadata'],
    ['http://[::ffff:169.254.169.254]/', 'cloud-metadata'],
    ['http://10.0.0.1/', 'private'],
    ['http://172.16.5.4/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.64.0.1/', 'shared'],
    ['http://169.254.10.10/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fc00::1]/', 'unique-local'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://240.0.0.1/', 'reserved'],
    ['http://192.0.2.1/', 'documentation'],
    ['http://[2001:0:4136:e378::1]/', 'tunnel'],
  ])('refuses %s (%s) before connecting', async (url, kind) => {
    const result = await call({ method: 'GET', url })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain(kind === 'resolve' ? 'Could not resolve' : `it is a ${kind} address`)
  })

  it.each([
    ['file:///etc/passwd', 'scheme file:'],
    ['gopher://127.0.0.1:70/_HELO', 'scheme gopher:'],
    ['ftp://example.com/', 'scheme ftp:'],
    ['javascript:alert(1)', 'scheme javascript:'],
    ['data:text/plain,hi', 'scheme data:'],
    ['//example.com/', 'not an absolute URL'],
    ['http://user:pass@example.com/', 'holds credentials'],
    ['http://user@example.com/', 'holds credentials'],
  ])('refuses the URL %s', async (url, message) => {
    const result = await call({ method: 'GET', url })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain(message)
  })
})

describe('DNS answers are checked, all of them, and the checked address is the one connected to', () => {
  let target: LoopbackServer
  beforeAll(async () => {
    target = await startLoopbackServer((request, response) => response.end(`host ${request.headers.host}`))
  })
  afterAll(() => target.close())

  function withAnswers(answers: Array<LookupAddress | string>, policy = {}) {
    const lookups: string[] = []
    const tool = createHttpRequestTool({
      ...policy,
      lookup: async (hostname) => {
        lookups.push(hostname)
        return answers
      },
    })
    return { call: directCaller(tool), lookups }
  }

  it.each([
    [['127.0.0.1']],
    [['::1']],
    [['::ffff:127.0.0.1']],
    [['169.254.169.254']],
    [['10.0.0.7']],
    [['0.0.0.0']],
    // A public answer next to an internal one is a rebinding attempt: all answers must pass.
    [['93.184.215.14', '127.0.0.1']],
    [
      [
        { address: '2606:4700::1111', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ],
    ],
  ] as Array<[Array<LookupAddress | string>]>)('refuses a name that resolves to %j', async (answers) => {
    const before = target.connectionCount()
    const { call, lookups } = withAnswers(answers)
    const result = await call({ method: 'GET', url: `http://internal.example.test:${target.port}/` })
    expect(result.status).toBe('error')
    expect(textOf(result)).toMatch(/Refused to connect to internal\.example\.test \(.+\): it is a/)
    expect(lookups).toEqual(['internal.example.test'])
    expect(target.connectionCount()).toBe(before)
  })

  it('refuses answers that are not canonical addresses', async () => {
    const { call } = withAnswers(['0x7f.1'])
    const result = await call({ method: 'GET', url: `http://odd.example.test:${target.port}/` })
    expect(textOf(result)).toContain('is not an IP address')
  })

  it('refuses a name with no answers, and reports resolver failures', async () => {
    const empty = withAnswers([])
    expect(textOf(await empty.call({ method: 'GET', url: 'http://nothing.example.test/' }))).toContain(
      'has no addresses',
    )
    const failing = createHttpRequestTool({
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })
      },
    })
    const result = await directCaller(failing)({ method: 'GET', url: 'http://missing.example.test/' })
    expect(textOf(result)).toContain('Could not resolve the host missing.example.test (ENOTFOUND)')
  })

  it('connects to the address that was checked, resolving once, with the original Host header', async () => {
    // The resolver changes its answer after the first call, as a rebinding attacker's DNS would.
    let calls = 0
    const tool = createHttpRequestTool({
      allowedCidrs: ['127.0.0.1/32'],
      lookup: async () => (++calls === 1 ? ['127.0.0.1'] : ['169.254.169.254']),
    })
    const result = await directCaller(tool)({
      method: 'GET',
      url: `http://service.example.test:${target.port}/`,
    })
    expect(result.status).toBe('success')
    expect(textOf(result)).toBe(`host service.example.test:${target.port}`)
    expect(calls).toBe(1)
  })

  it('checks the DNS answers of every redirect hop, and the host lists too', async () => {
    const redirecting = await startLoopbackServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('to') ?? ''
      response.writeHead(302, { location: target }).end()
    })
    try {
      const lookups: string[] = []
      const call = directCaller(
        createHttpRequestTool({
          allowedCidrs: ['127.0.0.1/32'],
          blockedHosts: ['blocked.example.test'],
          lookup: async (hostname) => {
            lookups.push(hostname)
            return hostname === 'start.example.test' ? ['127.0.0.1'] : ['10.0.0.5']
          },
        }),
      )
      const start = `http://start.example.test:${redirecting.port}/?to=`
      const toInternal = await call({
        method: 'GET',
        url: start + encodeURIComponent(`http://internal.example.test:${target.port}/`),
      })
      expect(textOf(toInternal)).toContain(
        'Refused to connect to internal.example.test (10.0.0.5): it is a private address',
      )
      expect(lookups).toEqual(['start.example.test', 'internal.example.test'])
      const toBlocked = await call({
        method: 'GET',
        url: start + encodeURIComponent(`http://blocked.example.test:${target.port}/`),
      })
      expect(textOf(toBlocked)).toContain('The host blocked.example.test is blocked')
      expect(redirecting.requests).toHaveLength(2)
    } finally {
      await redirecting.close()
    }
  })

  it('honours blockedCidrs over allowedCidrs and allowPrivateNetwork', async () => {
    const before = target.connectionCount()
    const { call } = withAnswers(['127.0.0.1'], {
      allowPrivateNetwork: true,
      allowedCidrs: ['127.0.0.0/8'],
      blockedCidrs: ['127.0.0.1/32'],
    })
    const result = await call({ method: 'GET', url: `http://x.example.test:${target.port}/` })
    expect(textOf(result)).toContain('its range is blocked by the operator')
    expect(target.connectionCount()).toBe(before)
  })

  it('keeps metadata endpoints closed under allowPrivateNetwork', async () => {
    const { call } = withAnswers(['169.254.169.254'], { allowPrivateNetwork: true })
    const result = await call({ method: 'GET', url: 'http://metadata.example.test/' })
    expect(textOf(result)).toContain('it is a cloud-metadata address')
  })

  it('allowPrivateNetwork opens loopback', async () => {
    const call = directCaller(createHttpRequestTool({ allowPrivateNetwork: true }))
    const result = await call({ method: 'GET', url: `${target.origin}/` })
    expect(result.status).toBe('success')
    expect(summaryOf(result).status).toBe(200)
  })
})

describe('host lists', () => {
  let target: LoopbackServer
  beforeAll(async () => {
    target = await startLoopbackServer((_, response) => response.end('ok'))
  })
  afterAll(() => target.close())

  const lookup = async () => ['127.0.0.1']

  it('allowedHosts admits only listed hosts and subdomains of wildcards', async () => {
    const call = directCaller(
      createHttpRequestTool({
        allowedHosts: ['api.example.test', '*.cdn.example.test'],
        allowedCidrs: ['127.0.0.1'],
        lookup,
      }),
    )
    expect((await call({ method: 'GET', url: `http://API.example.test:${target.port}/` })).status).toBe(
      'success',
    )
    expect((await call({ method: 'GET', url: `http://a.b.cdn.example.test:${target.port}/` })).status).toBe(
      'success',
    )
    const before = target.connectionCount()
    for (const url of [
      `http://cdn.example.test:${target.port}/`,
      `http://evil.test:${target.port}/`,
      `http://api.example.test.evil.test:${target.port}/`,
    ]) {
      const result = await call({ method: 'GET', url })
      expect(textOf(result)).toContain("is not in the operator's list of allowed hosts")
    }
    expect(target.connectionCount()).toBe(before)
  })

  it('blockedHosts wins', async () => {
    const call = directCaller(
      createHttpRequestTool({ blockedHosts: ['*.example.test'], allowedCidrs: ['127.0.0.1'], lookup }),
    )
    const result = await call({ method: 'GET', url: `http://x.example.test:${target.port}/` })
    expect(textOf(result)).toContain('is blocked by the operator')
  })

  it('rejects malformed policy entries when the tool is made', () => {
    expect(() => createHttpRequestTool({ allowedCidrs: ['10.0.0.0/99'] })).toThrow(/not an address range/)
    expect(() => createHttpRequestTool({ allowedHosts: ['exa mple.com'] })).toThrow(/not a host pattern/)
    expect(() => createHttpRequestTool({ timeoutMs: 0 })).toThrow(/timeoutMs must be a positive integer/)
  })
})
