import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { inferAwsEndpoint } from './authentication.js'
import { createHttpRequestTool } from './http-request-tool.js'
import { directCaller, textOf } from './test-support/call-tool.js'
import { type LoopbackServer, startLoopbackServer } from './test-support/loopback-server.js'
import { verifyAwsSignature } from './test-support/verify-aws-signature.js'

describe('auth types', () => {
  let server: LoopbackServer
  beforeAll(async () => {
    // Echoes the request headers back, as httpbin does: a page that tries to leak the credential.
    server = await startLoopbackServer((request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="echo" token="${request.headers.authorization ?? ''}"`,
      })
      response.end(JSON.stringify({ headers: request.headers }))
    })
  })
  afterAll(() => server.close())
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  const call = directCaller(
    createHttpRequestTool({
      allowedCidrs: ['127.0.0.1/32'],
      environmentSecrets: {
        SERVICE_TOKEN: ['127.0.0.1'],
        OTHER_TOKEN: ['api.example.test'],
        UNSET_TOKEN: ['127.0.0.1'],
      },
    }),
  )

  it.each([
    ['Bearer', 'tok-123456', 'authorization', 'Bearer tok-123456'],
    ['token', 'tok-123456', 'authorization', 'token tok-123456'],
    [
      'basic',
      'alice:s3cret-pass',
      'authorization',
      `Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`,
    ],
    ['api_key', 'key-abcdef', 'x-api-key', 'key-abcdef'],
    ['custom', 'Custom scheme=xyz-987', 'authorization', 'Custom scheme=xyz-987'],
  ])('%s sends the credential in the right header', async (authType, token, header, expected) => {
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: authType,
      auth_token: token,
    })
    expect(result.status).toBe('success')
    expect(server.requests.at(-1)?.headers[header]).toBe(expected)
  })

  it('a token without auth_type is sent as Bearer', async () => {
    await call({ method: 'GET', url: `${server.origin}/`, auth_token: 'plain-token' })
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer plain-token')
  })

  it('basic needs user:password', async () => {
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'basic',
      auth_token: 'nocolon',
    })
    expect(textOf(result)).toContain('For basic auth give the credential as "user:password"')
  })

  it('reads an allowed environment secret and never shows it, even when the server echoes it', async () => {
    const secret = 'env-secret-7f3a9c'
    vi.stubEnv('SERVICE_TOKEN', secret)
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'Bearer',
      auth_env_var: 'SERVICE_TOKEN',
    })
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`)
    const everything = JSON.stringify(result)
    expect(everything).not.toContain(secret)
    expect(everything).toContain('[REDACTED]')
  })

  it('redacts every form of a basic credential', async () => {
    vi.stubEnv('SERVICE_TOKEN', 'bob:hunter2-long')
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'basic',
      auth_env_var: 'SERVICE_TOKEN',
    })
    const everything = JSON.stringify(result)
    expect(everything).not.toContain('hunter2-long')
    expect(everything).not.toContain(Buffer.from('bob:hunter2-long').toString('base64'))
  })

  it.each([
    ['NOT_LISTED', 'is not one the operator allowed for auth_env_var'],
    ['OTHER_TOKEN', 'The operator allows OTHER_TOKEN only for api.example.test, not for 127.0.0.1'],
    ['UNSET_TOKEN', 'The environment variable UNSET_TOKEN is not set on this host'],
  ])('refuses auth_env_var %s and sends nothing', async (name, message) => {
    vi.stubEnv('NOT_LISTED', 'leak-me-please')
    vi.stubEnv('OTHER_TOKEN', 'leak-me-please')
    const before = server.connectionCount()
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'Bearer',
      auth_env_var: name,
    })
    expect(result.status).toBe('error')
    expect(textOf(result)).toContain(message)
    expect(JSON.stringify(result)).not.toContain('leak-me-please')
    expect(server.connectionCount()).toBe(before)
  })

  it('refuses auth_token together with auth_env_var, and an auth_type without a credential', async () => {
    expect(
      textOf(
        await call({
          method: 'GET',
          url: `${server.origin}/`,
          auth_token: 'a',
          auth_env_var: 'SERVICE_TOKEN',
        }),
      ),
    ).toContain('either auth_token or auth_env_var')
    expect(textOf(await call({ method: 'GET', url: `${server.origin}/`, auth_type: 'token' }))).toContain(
      'needs a credential',
    )
  })
})

describe('aws_sig_v4', () => {
  let server: LoopbackServer
  const credentials = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  }
  beforeAll(async () => {
    server = await startLoopbackServer((_, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end('signed ok'),
    )
  })
  afterAll(() => server.close())

  it('signs with the operator credentials so that the signature verifies', async () => {
    const call = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        awsSigV4Hosts: ['127.0.0.1'],
        awsCredentials: credentials,
        consent: () => true,
      }),
    )
    const result = await call({
      method: 'POST',
      url: `${server.origin}/prod/items?b=2&a=1`,
      body: '{"name":"widget"}',
      auth_type: 'aws_sig_v4',
      aws_region: 'eu-west-1',
      aws_service: 'execute-api',
    })
    expect(textOf(result)).toBe('signed ok')
    const received = server.requests.at(-1)!
    const verdict = verifyAwsSignature(received, credentials.secretAccessKey)
    expect(verdict.scope).toMatch(/^\d{8}\/eu-west-1\/execute-api\/aws4_request$/)
    expect(verdict.valid).toBe(true)
    // The check is real: another secret does not verify.
    expect(verifyAwsSignature(received, 'wrong-secret').valid).toBe(false)
    expect(JSON.stringify(result)).not.toContain(credentials.secretAccessKey)
  })

  it('uses the default credential chain (environment) when the operator gives none', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-from-the-environment')
    vi.stubEnv('AWS_REGION', 'us-west-2')
    try {
      const call = directCaller(
        createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'], awsSigV4Hosts: ['127.0.0.1'] }),
      )
      const result = await call({
        method: 'GET',
        url: `${server.origin}/x`,
        auth_type: 'aws_sig_v4',
        aws_service: 'lambda',
      })
      expect(result.status).toBe('success')
      const received = server.requests.at(-1)!
      expect(String(received.headers.authorization)).toContain('Credential=AKIDFROMENV/')
      expect(verifyAwsSignature(received, 'secret-from-the-environment')).toMatchObject({ valid: true })
      expect(verifyAwsSignature(received, 'secret-from-the-environment').scope).toContain(
        '/us-west-2/lambda/',
      )
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('refuses hosts the operator did not allow for signing, and needs a service', async () => {
    const call = directCaller(
      createHttpRequestTool({ allowedCidrs: ['127.0.0.1/32'], awsCredentials: credentials }),
    )
    const before = server.connectionCount()
    const refused = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'aws_sig_v4',
      aws_service: 's3',
    })
    expect(textOf(refused)).toContain('has not allowed AWS-signed requests to 127.0.0.1')
    const allowed = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        awsCredentials: credentials,
        awsSigV4Hosts: ['127.0.0.1'],
      }),
    )
    const noService = await allowed({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'aws_sig_v4',
      aws_region: 'us-east-1',
    })
    expect(textOf(noService)).toContain('give aws_service')
    expect(server.connectionCount()).toBe(before)
  })

  it('holds a credential provider that never answers to the deadline', async () => {
    const call = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        awsSigV4Hosts: ['127.0.0.1'],
        awsCredentials: () => new Promise(() => {}),
      }),
    )
    const before = server.connectionCount()
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'aws_sig_v4',
      aws_service: 'execute-api',
      aws_region: 'us-east-1',
      timeout: 0.2,
    })
    expect(textOf(result)).toContain('did not complete within 200 ms')
    expect(server.connectionCount()).toBe(before)
  })

  it('reports credential errors without secrets', async () => {
    const call = directCaller(
      createHttpRequestTool({
        allowedCidrs: ['127.0.0.1/32'],
        awsSigV4Hosts: ['127.0.0.1'],
        awsCredentials: async () => {
          throw new Error('Could not load credentials from any providers')
        },
      }),
    )
    const result = await call({
      method: 'GET',
      url: `${server.origin}/`,
      auth_type: 'aws_sig_v4',
      aws_service: 's3',
      aws_region: 'us-east-1',
    })
    expect(textOf(result)).toContain(
      'Could not sign the request with AWS credentials: Could not load credentials',
    )
  })

  it('infers service and region from AWS host names', () => {
    expect(inferAwsEndpoint('bedrock-runtime.us-east-1.amazonaws.com')).toEqual({
      service: 'bedrock-runtime',
      region: 'us-east-1',
    })
    expect(inferAwsEndpoint('abc123.execute-api.eu-central-1.amazonaws.com')).toEqual({
      service: 'execute-api',
      region: 'eu-central-1',
    })
    expect(inferAwsEndpoint('xyz.lambda-url.ap-southeast-2.on.aws')).toEqual({
      service: 'lambda',
      region: 'ap-southeast-2',
    })
    expect(inferAwsEndpoint('s3.us-gov-west-1.amazonaws.com')).toEqual({
      service: 's3',
      region: 'us-gov-west-1',
    })
    expect(inferAwsEndpoint('example.com')).toEqual({})
  })
})
