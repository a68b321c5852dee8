import { describe, expect, it } from 'vitest'
import { createHttpRequestTool, HttpRequestError, httpRequest } from './index.js'

describe('package exports', () => {
  it('httpRequest is the http_request tool with a JSON Schema a provider accepts', () => {
    expect(httpRequest.name).toBe('http_request')
    const schema = httpRequest.toolSpec.inputSchema as {
      type: string
      required: string[]
      properties: Record<string, { enum?: string[] }>
      additionalProperties?: boolean
    }
    expect(schema.type).toBe('object')
    expect(schema.required.sort()).toEqual(['method', 'url'])
    expect(schema.properties.method?.enum).toEqual([
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
    ])
    expect(schema.properties.auth_type?.enum).toEqual([
      'Bearer',
      'token',
      'basic',
      'api_key',
      'custom',
      'aws_sig_v4',
    ])
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'headers',
        'body',
        'auth_env_var',
        'allow_redirects',
        'max_redirects',
        'timeout',
        'convert_to_markdown',
      ]),
    )
    expect(JSON.parse(JSON.stringify(httpRequest.toolSpec))).toEqual(httpRequest.toolSpec)
  })

  it('each createHttpRequestTool call makes an independent tool', () => {
    expect(createHttpRequestTool()).not.toBe(httpRequest)
  })

  it('HttpRequestError is recognised across copies by its marker, and carries a code', () => {
    const error = new HttpRequestError('blocked', 'no')
    expect(HttpRequestError.isInstance(error)).toBe(true)
    expect(HttpRequestError.isInstance(new Error('no'))).toBe(false)
    expect(error).toMatchObject({ name: 'HttpRequestError', code: 'blocked' })
  })
})
