import { request as httpRequest } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { HTTPException } from './http-exception.js'
import { serve } from './serve.js'
import { ServerApp, type ServerAppOptions } from './server-app.js'
import { EventSourceResponse, encodeServerSentEvent } from './server-sent-events.js'
import { StreamingResponse } from './streaming-response.js'
import { openStream, parseServerSentEvents } from './test-support/http-client.js'

const Item = z.object({ name: z.string().min(1), price: z.number(), tags: z.array(z.string()).optional() })

async function start(configure: (app: ServerApp) => void, options: ServerAppOptions = {}) {
  const logged: unknown[] = []
  const app = new ServerApp({ onError: (error) => logged.push(error), ...options })
  configure(app)
  const running = await serve(app, { port: 0, signals: [] })
  onTestFinished(() => running.close())
  return { app, url: running.url, logged }
}

const postJson = (url: string, body: string, contentType = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })

/** A generator that yields when told to, and records how it ended. */
function controlledChunks() {
  const gates: (() => void)[] = []
  let ended: (how: string) => void
  const end = new Promise<string>((resolve) => {
    ended = resolve
  })
  let finished = false
  let credits = 0
  async function* chunks() {
    try {
      for (let index = 0; ; index++) {
        await new Promise<void>((resolve) => {
          if (credits > 0) {
            credits--
            resolve()
          } else gates.push(resolve)
        })
        yield `chunk ${index}\n`
      }
    } finally {
      finished = true
      ended('returned')
    }
  }
  return {
    chunks,
    end,
    isFinished: () => finished,
    /** Lets the generator produce one more chunk, now or when it next asks. */
    next: () => {
      if (gates.length > 0) gates.shift()!()
      else credits++
    },
  }
}

describe('validated JSON bodies', () => {
  const configure = (app: ServerApp) =>
    app.post('/items', { body: Item, bodyName: 'Item' }, ({ body }) => ({ received: body }))

  it('passes the parsed body to the handler and returns its value as JSON', async () => {
    const { url } = await start(configure)
    const response = await postJson(`${url}/items`, JSON.stringify({ name: 'pen', price: 2 }))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: { name: 'pen', price: 2 } })
  })

  it('answers 422 with FastAPI-shaped per-field errors', async () => {
    const { url } = await start(configure)
    const response = await postJson(`${url}/items`, JSON.stringify({ name: '', tags: ['a', 3] }))
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [
        {
          type: 'string_too_short',
          loc: ['body', 'name'],
          msg: 'String should have at least 1 character',
          input: '',
        },
        { type: 'missing', loc: ['body', 'price'], msg: 'Field required' },
        { type: 'string_type', loc: ['body', 'tags', 1], msg: 'Input should be a valid string', input: 3 },
      ],
    })
    const notObject = await postJson(`${url}/items`, '[1]')
    expect(await notObject.json()).toEqual({
      detail: [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: [1],
        },
      ],
    })
  })

  it('answers 400 for malformed JSON and an empty body', async () => {
    const { url } = await start(configure)
    const malformed = await postJson(`${url}/items`, '{"name": "pen",')
    expect(malformed.status).toBe(400)
    expect(((await malformed.json()) as { detail: string }).detail).toMatch(
      /^The request body is not valid JSON/,
    )
    const empty = await postJson(`${url}/items`, '')
    expect(empty.status).toBe(400)
  })

  it('answers 415 for a body that is not JSON', async () => {
    const { url } = await start(configure)
    const text = await postJson(`${url}/items`, 'name=pen', 'application/x-www-form-urlencoded')
    expect(text.status).toBe(415)
    expect(((await text.json()) as { detail: string }).detail).toContain('Content-Type: application/json')
    const vendorJson = await postJson(
      `${url}/items`,
      JSON.stringify({ name: 'a', price: 1 }),
      'application/vnd.api+json; charset=utf-8',
    )
    expect(vendorJson.status).toBe(200)
  })

  it('answers 413 for a body over the limit, by Content-Length and while reading a chunked body', async () => {
    const { url } = await start(configure, { maxBodyBytes: 100 })
    const declared = await postJson(`${url}/items`, JSON.stringify({ name: 'x'.repeat(200), price: 1 }))
    expect(declared.status).toBe(413)

    // Chunked: no Content-Length, so the limit is enforced while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${url}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      })
      request.on('response', (response) => {
        response.resume()
        resolve(response.statusCode!)
      })
      request.on('error', reject)
      request.write('{"name": "')
      request.write('y'.repeat(150))
      request.end('", "price": 1}')
    })
    expect(status).toBe(413)
  })
})

describe('errors', () => {
  it('turns HTTPException into {detail} with its status and headers', async () => {
    const { url } = await start((app) =>
      app.get('/items/:id', ({ params }) => {
        throw new HTTPException(404, `Item ${params.id} not found`, { 'x-reason': 'missing' })
      }),
    )
    const response = await fetch(`${url}/items/7`)
    expect(response.status).toBe(404)
    expect(response.headers.get('x-reason')).toBe('missing')
    expect(await response.json()).toEqual({ detail: 'Item 7 not found' })
    const wrongMethod = await fetch(`${url}/items/7`, { method: 'DELETE' })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('GET')
    expect(await wrongMethod.json()).toEqual({ detail: 'Method Not Allowed' })
    const unknown = await fetch(`${url}/nowhere`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ detail: 'Not Found' })
  })

  it('answers 500 with an error id and no detail, and logs the error', async () => {
    const { url, logged } = await start((app) =>
      app.get('/boom', () => {
        throw new Error('connection string postgres://admin:secret@db failed')
      }),
    )
    const response = await fetch(`${url}/boom`)
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).toMatch(/^\{"detail":"Internal Server Error \(error id [0-9a-f]{8}\)\."\}$/)
    expect(text).not.toContain('secret')
    expect((logged[0] as Error).message).toContain('secret@db')
  })
})

describe('/openapi.json', () => {
  it('documents the routes, their body schemas and the 422 shape', async () => {
    const { url } = await start(
      (app) => {
        app.post('/items', { body: Item, bodyName: 'Item', summary: 'Create an item' }, () => null)
        app.get('/items/:id', () => null)
      },
      { title: 'Shop', version: '2.0.0' },
    )
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as any
    expect(document.openapi).toBe('3.1.0')
    expect(document.info).toEqual({ title: 'Shop', version: '2.0.0' })
    const create = document.paths['/items'].post
    expect(create.summary).toBe('Create an item')
    expect(create.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Item',
    })
    expect(document.components.schemas.Item).toMatchObject({
      title: 'Item',
      type: 'object',
      required: ['name', 'price'],
      properties: { name: { type: 'string', minLength: 1 }, price: { type: 'number' } },
    })
    expect(create.responses['422'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/HTTPValidationError',
    })
    expect(document.paths['/items/{id}'].get.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ])
  })
})

describe('StreamingResponse', () => {
  it('writes each chunk as it is produced and returns the iterator when the client disconnects', async () => {
    const source = controlledChunks()
    const { url, app } = await start((app) =>
      app.get('/stream', () => new StreamingResponse(source.chunks(), { mediaType: 'text/plain' })),
    )
    const stream = await openStream(`${url}/stream`)
    expect(stream.headers['content-type']).toBe('text/plain; charset=utf-8')
    source.next()

    await stream.waitFor((text) => text === 'chunk 0\n')
    source.next()
    await stream.waitFor((text) => text === 'chunk 0\nchunk 1\n')
    expect(app.activeStreams).toBe(1)
    stream.disconnect()
    // The body is cancelled at once; the generator, parked at its gate, returns when it next resumes.
    await expect.poll(() => app.activeStreams).toBe(0)
    expect(source.isFinished()).toBe(false)
    source.next()
    expect(await source.end).toBe('returned')
  })

  it('cuts the response when the iterable throws, and reports the error', async () => {
    const reported: unknown[] = []
    const { url } = await start((app) =>
      app.get(
        '/stream',
        () =>
          new StreamingResponse(
            (async function* () {
              yield 'partial'
              throw new Error('generator failed')
            })(),
            { onError: (error) => reported.push(error) },
          ),
      ),
    )
    const stream = await openStream(`${url}/stream`)
    await stream.done.catch(() => {})
    expect(stream.text).not.toContain('generator failed')
    expect((reported[0] as Error).message).toBe('generator failed')
  })

  it('answers 503 with Retry-After past the concurrent stream cap, without starting the stream', async () => {
    const first = controlledChunks()
    let secondStarted = false
    const { url } = await start(
      (app) => {
        app.get('/first', () => new StreamingResponse(first.chunks()))
        app.get(
          '/second',
          () =>
            new StreamingResponse(
              (async function* () {
                secondStarted = true
                yield 'never'
              })(),
            ),
        )
      },
      { maxConcurrentStreams: 1, retryAfterSeconds: 3 },
    )
    const open = await openStream(`${url}/first`)
    first.next()
    await open.waitFor((text) => text.length > 0)
    const refused = await fetch(`${url}/second`)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('3')
    expect(secondStarted).toBe(false)
    open.disconnect()
  })
})

describe('EventSourceResponse', () => {
  it('encodes messages, multi-line data and JSON, and pings while idle', async () => {
    const source = controlledChunks()
    const { url, app } = await start((app) =>
      app.get(
        '/events',
        () =>
          new EventSourceResponse(
            (async function* () {
              yield { id: '1', event: 'greeting', data: 'hello\nworld' }
              yield { event: 'json', data: { a: 1 } }
              for await (const chunk of source.chunks()) yield chunk.trim()
            })(),
            { pingIntervalMs: 5 },
          ),
      ),
    )
    const stream = await openStream(`${url}/events`)
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    await stream.waitFor((text) => text.includes(': ping\n\n'))
    source.next()
    await stream.waitFor((text) => text.includes('chunk 0'))
    expect(parseServerSentEvents(stream.text)).toEqual([
      { id: '1', event: 'greeting', data: 'hello\nworld' },
      { event: 'json', data: '{"a":1}' },
      { data: 'chunk 0' },
    ])
    stream.disconnect()
    await expect.poll(() => app.activeStreams).toBe(0)
    source.next()
    expect(await source.end).toBe('returned')
  })

  it('keeps ids and event names on one line', () => {
    expect(encodeServerSentEvent({ id: 'a\nb', event: 'x\ry', data: 'd', retry: 1500 })).toBe(
      'id: ab\nevent: xy\nretry: 1500\ndata: d\n\n',
    )
    expect(encodeServerSentEvent({ comment: 'two\nlines' })).toBe(': two\n: lines\n\n')
  })
})
