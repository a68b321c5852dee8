// workerd entry (a module worker): the same handler, with the OpenAI-compatible server's URL as a binding
// and the web-standard calculator (workerd has no node:worker_threads).

import { createRuntimeHandler } from './runtime-handler.ts'
import { arithmeticCalculator } from './scenarios.ts'

let handler: ((request: Request) => Promise<Response>) | undefined

export default {
  fetch(request: Request, environment: { OPENAI_BASE_URL: string }): Promise<Response> {
    handler ??= createRuntimeHandler(environment.OPENAI_BASE_URL, arithmeticCalculator)
    return handler(request)
  },
}
