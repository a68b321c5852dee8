import { type Agent, AgentError } from '@agent/core'
import { Hono } from 'hono'

/**
 * Stand-in for @agent/server's `POST /stream/events` until that branch is merged: DESIGN.md §7 frames
 * (`id`, `event`, `data`), `event: error` on failure, and a cancelled body returns the agent's stream.
 */
export function interimEventStreamApp(createAgent: () => Agent): Hono {
  const app = new Hono()
  app.post('/stream/events', async (context) => {
    const body = (await context.req.json().catch(() => undefined)) as { prompt?: unknown } | undefined
    if (typeof body?.prompt !== 'string' || body.prompt === '') {
      return context.json(
        { detail: [{ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' }] },
        422,
      )
    }
    const events = createAgent().stream(body.prompt)
    const encoder = new TextEncoder()
    let id = 0
    const stream = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const step = await events.next()
            if (step.done) return controller.close()
            const event = step.value
            controller.enqueue(
              encoder.encode(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
            )
          } catch (error) {
            const message = AgentError.isInstance(error) ? error.message : 'The run failed.'
            controller.enqueue(
              encoder.encode(`id: ${++id}\nevent: error\ndata: ${JSON.stringify({ message })}\n\n`),
            )
            controller.close()
          }
        },
        async cancel() {
          await events.return(undefined as never)
        },
      },
      { highWaterMark: 0 },
    )
    return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } })
  })
  return app
}
