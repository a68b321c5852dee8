// The floor: the bare `openai` client doing the same work by hand, the way a careful user would
// (accumulate the answer, run the tool, send its result back). Every agent scenario is measured against it.
import OpenAI from 'openai'
import { addInputSchema, addition, addToolJsonSchema } from './add-tool.mjs'

export function createClient(baseURL) {
  return new OpenAI({ baseURL: new URL('/v1', baseURL).href, apiKey: 'bench', maxRetries: 0 })
}

/** One streamed answer; returns the text, the number of text deltas and how it ended. */
/**
 * `signalVia`: how a cancellation signal reaches the client (diagnostics only): `'options'` is the documented
 * `{ signal }`, `'fetchOptions'` is `{ fetchOptions: { signal } }`, which the client wires with a listener
 * instead of `AbortSignal.any`.
 */
export async function floorAnswer(client, model, prompt, signal, signalVia = 'options') {
  const stream = await client.chat.completions.create(
    {
      model,
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    },
    signal === undefined ? undefined : signalVia === 'options' ? { signal } : { fetchOptions: { signal } },
  )
  let text = ''
  let deltas = 0
  let finishReason
  let usage
  for await (const chunk of stream) {
    const choice = chunk.choices[0]
    if (choice !== undefined) {
      const content = choice.delta.content
      if (content) {
        text += content
        deltas++
      }
      if (choice.finish_reason) finishReason = choice.finish_reason
    }
    if (chunk.usage) usage = chunk.usage
  }
  return { text, deltas, finishReason, outputTokens: usage?.completion_tokens }
}

/** One streamed Responses API answer, read by hand: the text deltas and how it ended. */
export async function floorResponsesAnswer(client, model, prompt) {
  const stream = await client.responses.create({ model, input: prompt, stream: true, store: false })
  let text = ''
  let deltas = 0
  let status
  let outputTokens
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') {
      text += event.delta
      deltas++
    } else if (event.type === 'response.completed') {
      status = event.response.status
      outputTokens = event.response.usage?.output_tokens
    }
  }
  return { text, deltas, finishReason: status, outputTokens }
}

/** The tool loop by hand: stream, gather tool calls, validate and run them, send results, repeat. */
export async function floorToolLoop(client, model, prompt) {
  const messages = [{ role: 'user', content: prompt }]
  const tools = [
    {
      type: 'function',
      function: { name: 'add', description: 'Adds two numbers.', parameters: addToolJsonSchema },
    },
  ]
  let deltas = 0
  let toolCalls = 0
  let requests = 0
  let text = ''
  while (true) {
    requests++
    const stream = await client.chat.completions.create({
      model,
      messages,
      tools,
      stream: true,
      stream_options: { include_usage: true },
    })
    text = ''
    let finishReason
    const calls = []
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (choice === undefined) continue
      const delta = choice.delta
      if (delta.content) {
        text += delta.content
        deltas++
      }
      if (delta.tool_calls) {
        for (const call of delta.tool_calls) {
          let slot = calls[call.index]
          if (slot === undefined) {
            slot = { id: call.id, name: call.function?.name ?? '', arguments: '' }
            calls[call.index] = slot
          }
          if (call.function?.arguments) slot.arguments += call.function.arguments
        }
      }
      if (choice.finish_reason) finishReason = choice.finish_reason
    }
    const assistant = { role: 'assistant', content: text === '' ? null : text }
    if (calls.length > 0) {
      assistant.tool_calls = calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }))
    }
    messages.push(assistant)
    if (finishReason !== 'tool_calls') break
    for (const call of calls) {
      const input = addInputSchema.parse(JSON.parse(call.arguments))
      toolCalls++
      messages.push({ role: 'tool', tool_call_id: call.id, content: String(addition(input)) })
    }
  }
  return { text, deltas, toolCalls, requests }
}
