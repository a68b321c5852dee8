import { calculator } from '@agent/calculator'
import { Agent, type Model } from '@agent/core'
import { httpRequest } from '@agent/http-request'
import { ServerApp, StreamingResponse, toPublicError } from '@agent/server'
import { z } from 'zod'

const tools = [calculator, httpRequest]

/**
 * The seed program, line for line:
 *
 *   app = FastAPI()
 *   class PromptRequest(BaseModel):
 *       prompt: str
 *   @app.post("/stream")
 *   async def stream_response(request: PromptRequest): ...
 *
 * `model` is for tests; omitted, the agent picks its model from the environment (offline without one).
 */
export function createApp(options: { model?: Model } = {}): ServerApp {
  const app = new ServerApp({ title: 'Streaming agent server' })

  const PromptRequest = z.object({ prompt: z.string() })

  app.post('/stream', { body: PromptRequest, bodyName: 'PromptRequest' }, ({ body: request, signal }) => {
    async function* generate() {
      const agent = new Agent({ model: options.model, tools, callbackHandler: null })
      try {
        // `signal` aborts when the client disconnects: the model request and tools stop at once.
        for await (const event of agent.streamAsync(request.prompt, { signal })) {
          if ('data' in event) yield event.data
        }
      } catch (error) {
        if (signal.aborted) return // The client left: there is nobody to tell.
        // The seed sends str(e); we send a message safe to show and log the full error here.
        console.error('[streaming-server] the agent failed:', error)
        yield `Error: ${toPublicError(error, undefined).message}`
      }
    }
    return new StreamingResponse(generate(), { mediaType: 'text/plain' })
  })

  return app
}
