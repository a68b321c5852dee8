import { Agent, type JsonValue, type ToolProvider, type ToolResult } from '@agent/core'
import { collectStream, ScriptedModel } from '@agent/core/testing'

/** A model turn that calls one tool. */
export function callTurn(name: string, input: JsonValue = {}, id = 't1') {
  return { content: [{ toolUse: { toolUseId: id, name, input } }], stopReason: 'tool_use' as const }
}

/**
 * Runs an agent whose scripted model calls `name` once through `provider`, and returns the tool result
 * the conversation holds, the streamed tool events and the tool names the model was shown.
 */
export async function callThroughAgent(
  provider: ToolProvider,
  name: string,
  input: JsonValue = {},
  options: { signal?: AbortSignal } = {},
) {
  const model = new ScriptedModel([callTurn(name, input), { content: [{ text: 'done' }] }])
  const agent = new Agent({ model, tools: [provider], callbackHandler: null })
  const collected = await collectStream(agent.stream('go', { signal: options.signal }))
  const message = agent.messages.find((entry) => entry.content.some((block) => 'toolResult' in block))
  const block = message?.content.find((entry) => 'toolResult' in entry)
  return {
    result: (block as { toolResult: ToolResult } | undefined)?.toolResult,
    streamed: collected.events.flatMap((event) =>
      event.type === 'tool_stream' ? [event.tool_stream_event.data] : [],
    ),
    toolNames: model.requests[0]?.toolSpecs?.map((spec) => spec.name) ?? [],
    error: collected.error,
  }
}

/** The text of a tool result, joined. */
export function textOf(result: ToolResult | undefined): string {
  return (result?.content ?? []).map((block) => ('text' in block ? block.text : '')).join('\n')
}
