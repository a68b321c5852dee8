// Bun, Deno and workerd each serve programs/scenarios.ts; a real HTTP client (node:http) talks to them,
// and they talk to a loopback OpenAI-compatible server that replays recorded traffic.

import { fixturesDirectory, fixturesSkipMessage } from '@agent/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStream, parseServerSentEvents } from '../../../packages/server/src/test-support/http-client.ts'
import {
  LoopbackOpenAIServer,
  recordedAnswerText,
  recordedToolCallId,
} from './test-support/loopback-openai-server.ts'
import { type ServedRuntime, startNative, startWorkerd } from './test-support/runtimes.ts'

const hasFixtures = fixturesDirectory() !== undefined
if (!hasFixtures) console.warn(fixturesSkipMessage)

const runtimes = {
  bun: (baseURL: string) => startNative('bun', baseURL),
  deno: (baseURL: string) => startNative('deno', baseURL),
  workerd: startWorkerd,
}

describe.skipIf(!hasFixtures).each(Object.keys(runtimes) as (keyof typeof runtimes)[])('on %s', (name) => {
  let model: LoopbackOpenAIServer
  let runtime: ServedRuntime
  let aborted = 0

  beforeAll(async () => {
    model = await LoopbackOpenAIServer.start()
    runtime = await runtimes[name](model.baseURL)
  })
  afterAll(async () => {
    await runtime?.stop()
    await model?.close()
  })

  it('runs the demo agent on the offline model: the calculator answers 2+2', async () => {
    const outcome = await (await fetch(`${runtime.url}/offline`)).json()
    expect(outcome.text).toMatch(/^2\+2 = 4\n/)
    expect(outcome.toolResults).toHaveLength(1)
    expect(outcome.toolResults[0].status).toBe('success')
    expect(outcome.toolResults[0].content[0]).toEqual({ text: '4' })
    expect(outcome.eventTypes).toEqual(expect.arrayContaining(['tool_use_stream', 'tool_result', 'result']))
  })

  it('runs an agent on OpenAIModel through a tool turn', async () => {
    const before = model.requests.length
    const outcome = await (await fetch(`${runtime.url}/openai`)).json()
    expect(outcome.text).toBe(recordedAnswerText())
    expect(outcome.toolResults).toMatchObject([
      {
        toolUseId: recordedToolCallId,
        status: 'success',
        content: [{ text: 'Edinburgh: 12 °C, light rain' }],
      },
    ])
    const [first, second] = model.requests.slice(before)
    expect(first!.tools?.map((spec) => spec.function.name)).toEqual(['GetWeatherArgs'])
    expect(second!.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: recordedToolCallId })
    expect(JSON.stringify(second!.messages.at(-1)!.content)).toContain('Edinburgh: 12 °C, light rain')
  })

  it("answers /stream with the agent's text, streamed", async () => {
    const stream = await openStream(`${runtime.url}/stream`, { body: { prompt: 'The weather?' } })
    expect(stream.status).toBe(200)
    expect(stream.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(await stream.done).toBe(recordedAnswerText())
  })

  it('answers /stream/events with SSE frames ending in the result', async () => {
    const stream = await openStream(`${runtime.url}/stream/events`, { body: { prompt: 'The weather?' } })
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    const messages = parseServerSentEvents(await stream.done)
    const events = messages.map((message) => message.event)
    expect(events).toEqual(expect.arrayContaining(['tool_use_stream', 'tool_result', 'data']))
    expect(events.at(-1)).toBe('result')
    const text = messages
      .filter((message) => message.event === 'data')
      .map((message) => JSON.parse(message.data!).data)
      .join('')
    expect(text).toBe(recordedAnswerText())
  })

  for (const path of ['/stream', '/stream/events']) {
    // workerd notices a client that went away only when it next writes to it: the SSE route pings, the
    // plain-text route has nothing to write while the model hangs (README: runtime table).
    it.skipIf(name === 'workerd' && path === '/stream')(
      `aborts the run and its model request when the client disconnects from ${path}`,
      async () => {
        const stream = await openStream(`${runtime.url}${path}`, { body: { prompt: 'hang' } })
        await stream.waitFor((text) => text.includes('Holiday'))
        stream.disconnect()
        await model.hangsClosedBy(++aborted, 5000)
      },
    )
  }
})
