// A browser project's view of the packages that run in browsers: their public types must compile with the
// DOM library and without @types/node.
import { Agent, tool } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { OpenAIModel } from '@agent/openai'
import { z } from 'zod'

const add = tool({
  name: 'add',
  description: 'Adds two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  callback: ({ a, b }) => a + b,
})
const model = new OpenAIModel({ modelId: 'gpt-4.1-mini', clientArgs: { dangerouslyAllowBrowser: true } })
const agent = new Agent({ model, tools: [add], callbackHandler: null })
const controller = new AbortController()
export async function answer(prompt: string): Promise<string> {
  await using stream = agent.stream(prompt, { signal: controller.signal })
  let text = ''
  for await (const event of stream) if (event.type === 'data') text += event.data
  return text
}
export const testModel = new ScriptedModel([])
