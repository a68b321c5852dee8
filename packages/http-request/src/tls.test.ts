import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpRequestTool } from './http-request-tool.js'
import { directCaller, summaryOf, textOf } from './test-support/call-tool.js'

// A self-signed certificate for service.example.test, made for these tests only (the key protects nothing).
const certificate = readFileSync(new URL('./test-support/tls/service.cert.pem', import.meta.url), 'utf8')
const key = readFileSync(new URL('./test-support/tls/service.key.pem', import.meta.url), 'utf8')

describe('HTTPS through the guarded connector', () => {
  let server: Server
  let port: number
  const serverNames: Array<string | false> = []

  beforeAll(async () => {
    server = createServer({ cert: certificate, key }, (request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`tls ok for ${request.headers.host}`)
    })
    server.on('secureConnection', (socket) => serverNames.push(socket.servername ?? false))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const tool = createHttpRequestTool({
    allowedCidrs: ['127.0.0.1/32'],
    ca: certificate,
    lookup: async (hostname) => (hostname === 'service.example.test' ? ['127.0.0.1'] : []),
  })

  it('connects to the checked address while verifying the certificate against the host name (SNI)', async () => {
    const result = await directCaller(tool)({ method: 'GET', url: `https://service.example.test:${port}/` })
    expect(result.status).toBe('success')
    expect(summaryOf(result).url).toBe(`https://service.example.test:${port}/`)
    expect(textOf(result)).toBe(`tls ok for service.example.test:${port}`)
    expect(serverNames.at(-1)).toBe('service.example.test')
  })

  it('fails when the certificate does not name the host', async () => {
    const result = await directCaller(tool)({ method: 'GET', url: `https://127.0.0.1:${port}/` })
    expect(result.status).toBe('error')
    expect(textOf(result)).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match|altnames/i)
  })

  it('fails without the operator trusting the certificate', async () => {
    const untrusting = createHttpRequestTool({
      allowedCidrs: ['127.0.0.1/32'],
      lookup: async () => ['127.0.0.1'],
    })
    const result = await directCaller(untrusting)({
      method: 'GET',
      url: `https://service.example.test:${port}/`,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toMatch(/self.signed|certificate/i)
  })
})
