import type { ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'
import { Agent } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpRequestTool } from './http-request-tool.js'
import { directCaller, summaryOf, textOf } from './test-support/call-tool.js'
import { type LoopbackServer, startLoopbackServer, startRawServer } from './test-support/loopback-server.js'

const loopbackOnly = { allowedCidrs: ['127.0.0.1/32'] }
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function serve(handler: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler)
  closers.push(() => server.close())
  return server
}

async function serveRaw(onConnection: Parameters<typeof startRawServer>[0]) {
  const server = await startRawServer(onConnection)
  closers.push(() => server.close())
  return server
}

/** Writes `total` bytes in chunks, respecting back-pressure; resolves with the bytes written when the client goes away or all is sent. */
function stream(response: ServerResponse, total: number, chunk: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0
    response.on('close', () => resolve(sent))
    const pump = () => {
      while (sent < total && !response.destroyed) {
        sent += chunk.length
        if (!response.write(chunk)) return void response.once('drain', pump)
      }
      if (sent >= total) response.end()
    }
    pump()
  })
}

describe('deadline over the whole exchange', () => {
  it('cuts off a server that never sends headers', async () => {
    const server = await serve(() => {})
    const call = directCaller(createHttpRequestTool(loopbackOnly))
    const result = await call({ method: 'GET', url: `${server.origin}/slow`, timeout: 0.2 })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain(`The request to 127.0.0.1:${server.port} did not complete within 200 ms`)
    expect(server.requests).toHaveLength(1)
  })

  it('cuts off a body that trickles forever', async () => {
    let closed!: () => void
    const clientGone = new Promise<void>((resolve) => {
      closed = resolve
    })
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' })
      response.write('start')
      const timer = setInterval(() => response.write('.'), 5)
      response.on('close', () => {
        clearInterval(timer)
        closed()
      })
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, timeoutMs: 500 }))
    const result = await call({ method: 'GET', url: `${server.origin}/trickle`, timeout: 60 })
    expect(textOf(result)).toMatch(/did not complete within 500 ms \(\d+ body bytes received\)/)
    await clientGone
  })

  it('counts redirects against the same deadline', async () => {
    let hops = 0
    const server = await serve((_, response) => {
      hops += 1
      if (hops < 3) response.writeHead(302, { location: `/hop${hops}` }).end()
      // The third hop hangs: the deadline started with the first request.
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, timeoutMs: 600 }))
    const result = await call({ method: 'GET', url: `${server.origin}/start` })
    expect(textOf(result)).toContain('did not complete within 600 ms')
    expect(hops).toBe(3)
  })

  it('aborts the request when the agent run is cancelled, and leaves the conversation valid', async () => {
    let requestArrived!: () => void
    const arrived = new Promise<void>((resolve) => {
      requestArrived = resolve
    })
    const server = await serve(() => requestArrived())
    const agent = new Agent({
      model: new ScriptedModel([
        {
          content: [
            {
              toolUse: {
                toolUseId: 'slow-1',
                name: 'http_request',
                input: { method: 'GET', url: `${server.origin}/` },
              },
            },
          ],
          stopReason: 'tool_use',
        },
      ]),
      tools: [createHttpRequestTool(loopbackOnly)],
      callbackHandler: null,
    })
    const run = agent.invoke('fetch it')
    await arrived
    agent.cancel()
    const result = await run
    expect(result.stopReason).toBe('cancelled')
    expect(conversationProblems(agent.messages)).toEqual([])
  })
})

describe('broken and hostile responses', () => {
  it('reports a connection reset in the middle of the body', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
      response.write('partial', () => response.socket?.destroy())
    })
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toMatch(/The request to 127\.0\.0\.1:\d+ failed: .*(closed|reset|Content-Length)/)
  })

  it('reports a body shorter than its Content-Length', async () => {
    const server = await serveRaw((socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly this')
    })
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('the connection was closed or reset before the response was complete')
  })

  it('reads only the announced bytes of a body longer than its Content-Length', async () => {
    const server = await serveRaw((socket) => {
      socket.end(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello, and then smuggled bytes',
      )
    })
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(textOf(result)).toBe('hello')
    expect(summaryOf(result).body.bytes).toBe(5)
  })

  it('reports a response that is not HTTP', async () => {
    const server = await serveRaw((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'))
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('does not match the HTTP/1.1 protocol')
  })

  it('reports a corrupt gzip body', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' })
      response.end(Buffer.from('this is not gzip at all'))
    })
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('could not be decompressed')
  })

  it('refuses a response that stacks more content codings than curl would decode', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, {
        'content-type': 'text/plain',
        'content-encoding': Array(1000).fill('gzip').join(','),
      })
      response.end(gzipSync('hello'))
    })
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain('lists 1000 stacked content codings; at most 5 are decoded')
  })

  it('still decodes five stacked codings', async () => {
    let body: Buffer = Buffer.from('five times wrapped')
    for (let layer = 0; layer < 5; layer++) body = gzipSync(body)
    const server = await serve((_, response) => {
      response.writeHead(200, {
        'content-type': 'text/plain',
        'content-encoding': 'gzip, gzip, gzip, gzip, gzip',
      })
      response.end(body)
    })
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `${server.origin}/`,
    })
    expect(result.status).toBe('success')
    expect(textOf(result)).toContain('five times wrapped')
  })

  it('reports a refused connection', async () => {
    const server = await serve(() => {})
    const { port } = server
    await server.close()
    const result = await directCaller(createHttpRequestTool(loopbackOnly))({
      method: 'GET',
      url: `http://127.0.0.1:${port}/`,
    })
    expect(textOf(result)).toContain('the connection was refused')
  })
})

describe('size limits', () => {
  it('stops a gzip bomb at the decoded-bytes cap', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 })
    expect(bomb.length).toBeLessThan(20_000)
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(bomb)
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, maxResponseBytes: 256 * 1024 }))
    const result = await call({ method: 'GET', url: `${server.origin}/bomb` })
    expect(result.status).toBe('success')
    // NUL bytes: summarised as binary, and cut at exactly the cap.
    expect(summaryOf(result).body).toMatchObject({ bytes: 256 * 1024, truncated: true, format: 'binary' })
    expect(textOf(result)).toContain('the body was longer than 262144 bytes and was truncated there')
  })

  it('truncates a huge body with a note and hangs up instead of downloading it all', async () => {
    let written!: Promise<number>
    const total = 256 * 1024 * 1024
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' })
      written = stream(response, total, Buffer.alloc(64 * 1024, 'a'))
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, maxResponseBytes: 100_000 }))
    const result = await call({ method: 'GET', url: `${server.origin}/huge` })
    expect(summaryOf(result).body).toMatchObject({ bytes: 100_000, truncated: true, format: 'text' })
    const text = textOf(result)
    expect(text.startsWith('a'.repeat(100_000))).toBe(true)
    expect(text).toContain('[Note: the body was longer than 100000 bytes and was truncated there')
    expect(await written).toBeLessThan(total)
  })

  it('cuts the text handed to the model at maxResultCharacters', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(5000))
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, maxResultCharacters: 1000 }))
    const result = await call({ method: 'GET', url: `${server.origin}/` })
    expect(summaryOf(result).body).toMatchObject({ bytes: 5000, truncated: true })
    expect(textOf(result)).toBe(`${'x'.repeat(1000)}\n\n[Note: the text was cut to 1000 of 5000 characters.]`)
  })

  it('marks truncated JSON as shown raw', async () => {
    const server = await serve((_, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ items: 'y'.repeat(500) }))
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, maxResponseBytes: 100 }))
    const result = await call({ method: 'GET', url: `${server.origin}/` })
    expect(summaryOf(result).body).toMatchObject({ format: 'text', truncated: true })
    expect(textOf(result)).toContain('the JSON body is shown as sent because it was truncated')
  })

  it('bounds the HTML that is converted to Markdown', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(`<p>start</p>${'<div><span>filler</span></div>'.repeat(10_000)}<p>end</p>`)
    })
    const call = directCaller(createHttpRequestTool({ ...loopbackOnly, maxHtmlBytes: 2000 }))
    const result = await call({ method: 'GET', url: `${server.origin}/`, convert_to_markdown: true })
    const text = textOf(result)
    expect(text.startsWith('start')).toBe(true)
    expect(text).not.toContain('end')
    expect(summaryOf(result).body.notes).toEqual(['only the first 2000 characters of HTML were converted'])
  })

  it('refuses a request body over the cap without sending it', async () => {
    const server = await serve((_, response) => response.end('ok'))
    const call = directCaller(
      createHttpRequestTool({ ...loopbackOnly, maxRequestBodyBytes: 10, consent: () => true }),
    )
    const result = await call({ method: 'POST', url: `${server.origin}/`, body: 'x'.repeat(11) })
    expect(textOf(result)).toContain('The body is 11 bytes; the operator allows at most 10.')
    expect(server.connectionCount()).toBe(0)
  })
})
