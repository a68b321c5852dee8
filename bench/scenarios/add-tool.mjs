// The one tool of the tool scenarios, shared by the floor and the agent so both validate the same way.
import { z } from 'zod'

export const addInputSchema = z.object({ a: z.number(), b: z.number() })
export const addToolJsonSchema = (() => {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(addInputSchema)
  return schema
})()

export function addition({ a, b }) {
  return a + b
}
