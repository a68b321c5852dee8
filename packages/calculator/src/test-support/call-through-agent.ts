import { Agent, type JsonValue, type Tool, type ToolResult } from '@agent/core'
import { conversationProblems, ScriptedModel } from '@agent/core/testing'

/**
 * Runs one calculator call the way a model would make it: a scripted model asks for the tool, the agent
 * loop runs it, and the model answers. Returns the tool result and any problem with the conversation.
 */
export async function callThroughAgent(
  calculator: Tool,
  input: JsonValue,
): Promise<{ result: ToolResult; text: string; problems: string[] }> {
  const model = new ScriptedModel([
    { content: [{ toolUse: { toolUseId: 'call-1', name: calculator.name, input } }], stopReason: 'tool_use' },
    { content: [{ text: 'Done.' }] },
  ])
  const agent = new Agent({ model, tools: [calculator], callbackHandler: null })
  await agent.invoke('Calculate, please.')
  const block = agent.messages[2]?.content.find((part) => 'toolResult' in part)
  if (block === undefined || !('toolResult' in block)) throw new Error('the agent recorded no tool result')
  return {
    result: block.toolResult,
    text: textOf(block.toolResult),
    problems: conversationProblems(agent.messages),
  }
}

/** The text parts of a tool result, joined. */
export function textOf(result: ToolResult): string {
  return result.content.map((part) => ('text' in part ? part.text : '')).join('\n')
}

/** The first line of the text: the plain answer. */
export function answerOf(result: ToolResult): string {
  return textOf(result).split('\n')[0]!
}

/** The JSON part of a successful result. */
export function jsonOf(result: ToolResult): Record<string, unknown> {
  const part = result.content.find((entry) => 'json' in entry)
  if (part === undefined || !('json' in part)) throw new Error(`no JSON part in ${JSON.stringify(result)}`)
  return part.json as Record<string, unknown>
}
