import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib'
import { Agent } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConsentRequest } from './http-request-policy.js'
import { createHttpRequestTool } from './http-request-tool.js'
import { directCaller, summaryOf, textOf } from './test-support/call-tool.js'
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js'

const page = `<!doctype html>
<html><head><title>Quarterly  report</title><style>body { color: red }</style>
<script>window.secret = "do-not-show"</script></head>
<body>
  <nav><a href="/home">Home</a></nav>
  <h1>Results</h1>
  <p>Revenue grew <strong>12%</strong> in <em>Q3</em>. See <a href="details?id=1">details</a>.</p>
  <table>
    <thead><tr><th>Region</th><th>Sales</th></tr></thead>
    <tbody><tr><td>EU</td><td>1 200</td></tr><tr><td>US | CA</td><td>3 400</td></tr></tbody>
  </table>
  <noscript>enable javascript</noscript>
  <ul><li>First</li><li>Second</li></ul>
</body></html>`

const pngBytes = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
])

function route(server: () => LoopbackServer) {
  return (path: string) => `${server().origin}${path}`
}

describe('http_request against a loopback server (operator allows 127.0.0.1)', () => {
  let server: LoopbackServer
  let other: LoopbackServer
  let ipv6: LoopbackServer
  const at = route(() => server)
  const consents: ConsentRequest[] = []
  const tool = createHttpRequestTool({
    allowedCidrs: ['127.0.0.1/32'],
    consent: (request) => {
      consents.push(request)
      return true
    },
  })
  const call = directCaller(tool)

  beforeAll(async () => {
    server = await startLoopbackServer((request, response, body) => {
      const url = new URL(request.url ?? '/', 'http://x')
      const redirectCount = /^\/redirect\/(\d+)$/.exec(url.pathname)
      if (redirectCount) {
        const left = Number(redirectCount[1])
        response.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : '/text' }).end()
        return
      }
      switch (url.pathname) {
        case '/text':
          response.writeHead(200, {
            'content-type': 'text/plain; charset=utf-8',
            'set-cookie': 'session=abc',
          })
          response.end('hello from loopback')
          return
        case '/json':
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end('{"name":"widget","tags":[1,2]}')
          return
        case '/html':
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page)
          return
        case '/png':
          response.writeHead(200, { 'content-type': 'image/png' }).end(pngBytes)
          return
        case '/echo':
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ method: request.method, headers: request.headers, body }))
          return
        case '/to':
          response.writeHead(Number(url.searchParams.get('status') ?? 302), {
            location: url.searchParams.get('location') ?? '',
          })
          response.end()
          return
        case '/gzip':
          response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
          response.end(gzipSync('gzip body'))
          return
        case '/br':
          response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'br' })
          response.end(brotliCompressSync('brotli body'))
          return
        case '/deflate':
          response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'deflate' })
          response.end(deflateSync('deflate body'))
          return
        case '/zstd':
          response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'zstd' })
          response.end(zstdCompressSync('zstd body'))
          return
        case '/compress':
          response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'compress' })
          response.end('\x1f\x9d not really')
          return
        case '/latin1':
          response.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' })
          response.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]))
          return
        default:
          response.writeHead(404, { 'content-type': 'text/plain' }).end('no such page')
      }
    })
    other = await startLoopbackServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ headers: request.headers, method: request.method }))
    })
    ipv6 = await startLoopbackServer((_, response) => response.end('v6'), '::1')
  })
  afterAll(async () => {
    await Promise.all([server.close(), other.close(), ipv6.close()])
  })

  it('GET returns status, final URL, selected headers and the body text', async () => {
    const result = await call({ method: 'GET', url: at('/text#fragment') })
    expect(result.status).toBe('success')
    const summary = summaryOf(result)
    expect(summary).toMatchObject({
      status: 200,
      statusText: 'OK',
      url: at('/text'),
      redirects: [],
      body: { format: 'text', bytes: 19, truncated: false },
    })
    expect(summary.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(summary.headers).not.toHaveProperty('set-cookie')
    expect(textOf(result)).toBe('hello from loopback')
    expect(server.requests.at(-1)?.headers['user-agent']).toMatch(/^agent-sdk-http-request/)
  })

  it('pretty-prints JSON', async () => {
    const result = await call({ method: 'GET', url: at('/json') })
    expect(summaryOf(result).body.format).toBe('json')
    expect(textOf(result)).toBe('{\n  "name": "widget",\n  "tags": [\n    1,\n    2\n  ]\n}')
  })

  it('returns HTML as is unless asked to convert it', async () => {
    const result = await call({ method: 'GET', url: at('/html') })
    expect(summaryOf(result).body.format).toBe('html')
    expect(textOf(result)).toContain('<table>')
  })

  it('converts HTML to Markdown: scripts and styles removed, tables and links kept', async () => {
    const result = await call({ method: 'GET', url: at('/html'), convert_to_markdown: true })
    const summary = summaryOf(result)
    expect(summary.body).toMatchObject({ format: 'markdown', title: 'Quarterly report' })
    const markdown = textOf(result)
    expect(markdown).toContain('# Results')
    expect(markdown).toContain('Revenue grew **12%** in *Q3*.')
    expect(markdown).toContain(`[details](${at('/details?id=1')})`)
    expect(markdown).toContain(`[Home](${at('/home')})`)
    expect(markdown).toContain('| Region | Sales |\n| --- | --- |\n| EU | 1 200 |\n| US \\| CA | 3 400 |')
    expect(markdown).toContain('- First\n- Second')
    for (const hidden of ['do-not-show', 'color: red', 'enable javascript', 'Quarterly']) {
      expect(markdown).not.toContain(hidden)
    }
  })

  it('summarises binary bodies instead of dumping them', async () => {
    const result = await call({ method: 'GET', url: at('/png') })
    expect(summaryOf(result).body).toMatchObject({ format: 'binary', bytes: pngBytes.length })
    expect(textOf(result)).toMatch(
      /^\[binary body not shown: 16 bytes \(image\/png, PNG image\), sha256 [0-9a-f]{64}\]$/,
    )
  })

  it('decodes gzip, br, deflate and zstd, honours the charset, and notes codings it cannot decode', async () => {
    expect(textOf(await call({ method: 'GET', url: at('/gzip') }))).toBe('gzip body')
    expect(textOf(await call({ method: 'GET', url: at('/br') }))).toBe('brotli body')
    expect(textOf(await call({ method: 'GET', url: at('/deflate') }))).toBe('deflate body')
    expect(textOf(await call({ method: 'GET', url: at('/zstd') }))).toBe('zstd body')
    expect(server.requests.at(-1)?.headers['accept-encoding']).toBe('gzip, deflate, br, zstd')
    expect(textOf(await call({ method: 'GET', url: at('/latin1') }))).toBe('café')
    const unknown = await call({ method: 'GET', url: at('/compress') })
    expect(summaryOf(unknown).body.notes).toEqual([
      'content encoding compress is not supported; bytes are as sent',
    ])
  })

  it('HEAD returns the status and headers without a body', async () => {
    const result = await call({ method: 'HEAD', url: at('/json') })
    expect(summaryOf(result)).toMatchObject({ status: 200, body: { format: 'empty', bytes: 0 } })
    expect(result.content).toHaveLength(1)
  })

  it('reports HTTP errors as responses the model can read', async () => {
    const result = await call({ method: 'GET', url: at('/missing') })
    expect(result.status).toBe('success')
    expect(summaryOf(result)).toMatchObject({ status: 404, statusText: 'Not Found' })
    expect(textOf(result)).toBe('no such page')
  })

  it('POST sends the body with a content type, after asking for consent', async () => {
    consents.length = 0
    const result = await call({
      method: 'POST',
      url: at('/echo'),
      headers: { 'X-Trace': 'abc' },
      body: '{"item":"widget"}',
    })
    const echoed = JSON.parse(textOf(result))
    expect(echoed).toMatchObject({
      method: 'POST',
      body: '{"item":"widget"}',
      headers: { 'content-type': 'application/json', 'x-trace': 'abc', 'content-length': '17' },
    })
    expect(consents).toEqual([
      { method: 'POST', url: at('/echo'), headerNames: ['x-trace'], bodyBytes: 17, redirect: false },
    ])
  })

  it('sends plain text bodies as text/plain unless the model sets a type', async () => {
    const plain = JSON.parse(textOf(await call({ method: 'PUT', url: at('/echo'), body: 'just text' })))
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8')
    const typed = JSON.parse(
      textOf(
        await call({
          method: 'PATCH',
          url: at('/echo'),
          body: 'a=1',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        }),
      ),
    )
    expect(typed).toMatchObject({
      method: 'PATCH',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
  })

  it('refuses a body on GET', async () => {
    const result = await call({ method: 'GET', url: at('/echo'), body: 'x' })
    expect(textOf(result)).toContain('A GET request cannot have a body')
  })

  it('follows a redirect chain and reports every hop', async () => {
    const result = await call({ method: 'GET', url: at('/redirect/3') })
    const summary = summaryOf(result)
    expect(summary.url).toBe(at('/text'))
    expect(summary.redirects).toEqual([
      { status: 302, url: at('/redirect/3') },
      { status: 302, url: at('/redirect/2') },
      { status: 302, url: at('/redirect/1') },
    ])
    expect(textOf(result)).toBe('hello from loopback')
  })

  it('stops at max_redirects, and the policy cap wins over a larger request', async () => {
    const limited = await call({ method: 'GET', url: at('/redirect/3'), max_redirects: 2 })
    expect(limited.status).toBe('error')
    expect(textOf(limited)).toContain('Stopped after 2 redirects (the limit is 2)')
    const capped = directCaller(createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'], maxRedirects: 1 }))
    const result = await capped({ method: 'GET', url: at('/redirect/2'), max_redirects: 10 })
    expect(textOf(result)).toContain('(the limit is 1)')
  })

  it('returns the redirect itself when allow_redirects is false', async () => {
    const result = await call({ method: 'GET', url: at('/redirect/1'), allow_redirects: false })
    expect(summaryOf(result)).toMatchObject({ status: 302, redirects: [], headers: { location: '/text' } })
  })

  it.each([
    ['an address the policy does not allow', () => `http://[::1]:${ipv6.port}/`, 'Refused to connect to ::1'],
    ['the metadata endpoint', () => 'http://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
    ['an IPv4-mapped loopback on another port', () => `http://[::ffff:127.0.0.2]:${ipv6.port}/`, 'loopback'],
    ['a file URL', () => 'file:///etc/passwd', 'uses the scheme file:'],
    ['a gopher URL', () => 'gopher://127.0.0.1:25/', 'uses the scheme gopher:'],
    ['a URL with credentials', () => `http://admin:admin@127.0.0.1:${server.port}/text`, 'holds credentials'],
  ])('refuses a redirect to %s', async (_, target, message) => {
    const before = ipv6.connectionCount()
    const location = encodeURIComponent(target())
    const result = await call({ method: 'GET', url: at(`/to?location=${location}`) })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain(message)
    expect(ipv6.connectionCount()).toBe(before)
  })

  it('keeps credentials on same-origin redirects and drops them on cross-origin ones', async () => {
    const sameOrigin = await call({
      method: 'GET',
      url: at(`/to?location=${encodeURIComponent('/echo')}`),
      auth_type: 'Bearer',
      auth_token: 'same-origin-token',
    })
    expect(JSON.parse(textOf(sameOrigin)).headers.authorization).toBe('Bearer [REDACTED]')
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer same-origin-token')

    const crossOrigin = await call({
      method: 'GET',
      url: at(`/to?location=${encodeURIComponent(`${other.origin}/landing`)}`),
      headers: { Cookie: 'session=1', 'X-Api-Key': 'k-123', 'X-Trace': 'kept' },
      auth_type: 'Bearer',
      auth_token: 'cross-origin-token',
    })
    expect(summaryOf(crossOrigin).url).toBe(`${other.origin}/landing`)
    const received = other.requests.at(-1)!.headers
    expect(received['x-trace']).toBe('kept')
    expect(received).not.toHaveProperty('authorization')
    expect(received).not.toHaveProperty('cookie')
    expect(received).not.toHaveProperty('x-api-key')
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer cross-origin-token')
  })

  it('turns POST into GET on 303 and keeps method and body on 307, asking consent again for a new origin', async () => {
    const seeOther = await call({
      method: 'POST',
      url: at(`/to?status=303&location=${encodeURIComponent('/echo')}`),
      body: 'payload',
    })
    expect(JSON.parse(textOf(seeOther))).toMatchObject({ method: 'GET', body: '' })

    consents.length = 0
    const temporary = await call({
      method: 'POST',
      url: at(`/to?status=307&location=${encodeURIComponent(`${other.origin}/moved`)}`),
      body: 'payload',
    })
    expect(JSON.parse(textOf(temporary)).method).toBe('POST')
    expect(other.requests.at(-1)?.body).toBe('payload')
    expect(consents.map((consent) => consent.redirect)).toEqual([false, true])
    expect(consents[1]?.url).toBe(`${other.origin}/moved`)
  })

  it('rejects invalid input through the tool schema', async () => {
    const badMethod = await call({ method: 'FETCH', url: at('/text') })
    expect(textOf(badMethod)).toContain('Invalid input for tool "http_request"')
    const noUrl = await call({ method: 'GET' })
    expect(textOf(noUrl)).toContain('url')
  })
})

describe('header injection and connection headers', () => {
  let server: LoopbackServer
  beforeAll(async () => {
    server = await startLoopbackServer((_, response) => response.end('ok'))
  })
  afterAll(() => server.close())

  it.each([
    [{ 'X-Test': 'a\r\nX-Injected: 1' }, 'line break or control character'],
    [{ 'X-Test': 'a\nb' }, 'line break or control character'],
    [{ 'X-Test': 'a\rb' }, 'line break or control character'],
    [{ 'X-Test': 'a\u0000b' }, 'line break or control character'],
    [{ 'X-Test\r\nX-Injected': '1' }, 'is not valid'],
    [{ 'Bad Name': '1' }, 'is not valid'],
    [{ Host: 'internal.example' }, 'may not be set'],
    [{ host: 'internal.example' }, 'may not be set'],
    [{ 'Transfer-Encoding': 'chunked' }, 'may not be set'],
    [{ Connection: 'close' }, 'may not be set'],
    [{ 'Keep-Alive': 'timeout=5' }, 'may not be set'],
    [{ Upgrade: 'websocket' }, 'may not be set'],
    [{ TE: 'trailers' }, 'may not be set'],
    [{ 'Content-Length': '0' }, 'may not be set'],
    [{ 'Proxy-Authorization': 'Basic eA==' }, 'may not be set'],
  ])('refuses headers %j and sends nothing', async (headers, message) => {
    const call = directCaller(createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'] }))
    const result = await call({ method: 'GET', url: `${server.origin}/`, headers })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain(message)
    expect(server.connectionCount()).toBe(0)
  })

  it('refuses an auth token with a line break', async () => {
    const call = directCaller(createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'] }))
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'Bearer',
      auth_token: 'abc\r\nX-Injected: 1',
    })
    expect(textOf(result)).toContain('The credential holds a line break or control character')
    expect(server.connectionCount()).toBe(0)
  })
})

describe('consent for mutating methods', () => {
  let server: LoopbackServer
  beforeAll(async () => {
    server = await startLoopbackServer((_, response) => response.end('changed'))
  })
  afterAll(() => server.close())

  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
    'refuses %s by default and sends nothing',
    async (method) => {
      const call = directCaller(createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'] }))
      const result = await call({
        method,
        url: `${server.origin}/`,
        ...(method === 'DELETE' ? {} : { body: 'x' }),
      })
      expect(result.status).toBe('error')
      expect(textOf(result)).toContain(`The ${method} request to 127.0.0.1:${server.port} was not approved`)
      expect(server.connectionCount()).toBe(0)
    },
  )

  it('refuses when the consent callback says no, or fails', async () => {
    const asked: string[] = []
    const denying = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        consent: async (request) => {
          asked.push(`${request.method} ${request.url}`)
          return false
        },
      }),
    )
    expect(textOf(await denying({ method: 'DELETE', url: `${server.origin}/item/1` }))).toContain(
      'was not approved',
    )
    expect(asked).toEqual([`DELETE ${server.origin}/item/1`])
    const failing = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        consent: () => {
          throw new Error('consent service down')
        },
      }),
    )
    expect(textOf(await failing({ method: 'DELETE', url: `${server.origin}/` }))).toContain(
      'the consent check failed',
    )
    expect(server.connectionCount()).toBe(0)
  })

  it('does not ask for GET or HEAD', async () => {
    const call = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        consent: () => {
          throw new Error('must not be asked')
        },
      }),
    )
    expect((await call({ method: 'GET', url: `${server.origin}/` })).status).toBe('success')
    expect((await call({ method: 'HEAD', url: `${server.origin}/` })).status).toBe('success')
  })
})

describe('inside the agent loop', () => {
  let server: LoopbackServer
  beforeAll(async () => {
    server = await startLoopbackServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"temperature":21}')
    })
  })
  afterAll(() => server.close())

  it('answers a tool call and leaves a valid conversation, also when the call is refused', async () => {
    const model = new ScriptedModel([
      {
        content: [
          {
            toolUse: {
              toolUseId: 'fetch-1',
              name: 'http_request',
              input: { method: 'GET', url: `${server.origin}/weather` },
            },
          },
          {
            toolUse: {
              toolUseId: 'fetch-2',
              name: 'http_request',
              input: { method: 'GET', url: 'http://169.254.169.254/' },
            },
          },
        ],
        stopReason: 'tool_use',
      },
      { content: [{ text: 'It is 21 degrees.' }] },
    ])
    const agent = new Agent({
      model,
      tools: [createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'] })],
      callbackHandler: null,
    })
    const result = await agent.invoke('What is the weather?')
    expect(String(result)).toBe('It is 21 degrees.')
    expect(conversationProblems(agent.messages)).toEqual([])
    const toolResults = agent.messages[2]!.content.flatMap((block) =>
      'toolResult' in block ? [block.toolResult] : [],
    )
    expect(toolResults.map((toolResult) => toolResult.status)).toEqual(['success', 'error'])
    expect(JSON.stringify(toolResults[0])).toContain('\\"temperature\\": 21')
    expect(JSON.stringify(toolResults[1])).toContain('cloud-metadata')
  })
})
