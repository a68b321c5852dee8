import { errorResult } from '../tools/run-tool.js'
import type { ContentBlock, Message, ToolResult } from '../types/messages.js'

/**
 * Keeps the conversation valid after an interrupted turn: when the last message is an assistant
 * message whose tool uses have no results yet, appends a user message answering each one
 * (with the result it got, or an error saying why it has none).
 */
export function answerOpenToolUses(
  messages: Message[],
  knownResults: ReadonlyMap<string, ToolResult>,
  reason: string,
): void {
  const last = messages.at(-1)
  if (last?.role !== 'assistant') return
  const content: ContentBlock[] = []
  for (const block of last.content) {
    if ('toolUse' in block) {
      const { toolUseId, name } = block.toolUse
      content.push({
        toolResult: knownResults.get(toolUseId) ?? errorResult(toolUseId, `Tool "${name}" ${reason}`),
      })
    }
  }
  if (content.length > 0) messages.push({ role: 'user', content })
}

/** Adds the user's prompt, merging into a trailing user message so that roles keep alternating. */
export function appendUserContent(messages: Message[], content: ContentBlock[]): Message {
  const last = messages.at(-1)
  if (last?.role === 'user') {
    last.content.push(...content)
    return last
  }
  const message: Message = { role: 'user', content }
  messages.push(message)
  return message
}
