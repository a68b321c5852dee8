import { Agent, BeforeModelCallEvent, type Model, type ModelStreamEvent } from '@agent/core'
import { describe, expect, it } from 'vitest'
import { startAgentServer } from './test-support/agent-server-fixture.js'
import { openStream } from './test-support/http-client.js'

/** A provider that sends messageStart, then never answers and never looks at its signal. */
const deafModel: Model = {
  provider: 'deaf',
  modelId: 'deaf',
  stream: () => {
    let sent = false
    return {
      [Symbol.asyncIterator]: () => ({
        next: (): Promise<IteratorResult<ModelStreamEvent>> => {
          if (sent) return new Promise(() => {})
          sent = true
          return Promise.resolve({ value: { messageStart: { role: 'assistant' } }, done: false })
        },
      }),
    }
  },
}

async function activeStreams(url: string): Promise<number> {
  return ((await (await fetch(`${url}/health`)).json()) as { activeStreams: number }).activeStreams
}

async function untilNoStreams(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && (await activeStreams(url)) > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  expect(await activeStreams(url)).toBe(0)
}

describe('runs the client left', () => {
  it('release the stream slot when the model ignores its abort, however often it happens', async () => {
    const { url } = await startAgentServer({
      app: { maxConcurrentStreams: 1 },
      routes: { agent: () => new Agent({ model: deafModel, callbackHandler: null }) },
    })
    for (let stall = 0; stall < 3; stall++) {
      const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
      expect(stream.status).toBe(200)
      await stream.waitFor((text) => text.includes('messageStart'))
      stream.disconnect()
      await untilNoStreams(url)
    }
  })

  it('are abandoned when app code ignores the abort, so that the slot is released', async () => {
    let entered!: () => void
    const inHook = new Promise<void>((resolve) => {
      entered = resolve
    })
    const { url } = await startAgentServer({
      app: { maxConcurrentStreams: 1 },
      routes: {
        abandonAfterMs: 50,
        agent: () => {
          const agent = new Agent({ model: deafModel, callbackHandler: null })
          // A hook that never returns and ignores every signal: the loop cannot end the run.
          agent.hooks.add(BeforeModelCallEvent, () => {
            entered()
            return new Promise(() => {})
          })
          return agent
        },
      },
    })
    const stream = await openStream(`${url}/stream/events`, { body: { prompt: 'Hi' } })
    await stream.waitFor((text) => text.includes('start_event_loop'))
    await inHook
    stream.disconnect()
    await untilNoStreams(url)
  })
})
