import type { Message } from '../types/messages.js'

/**
 * The problems that make a conversation unusable for the next model call: a tool use with no result
 * in the next message, a result for no tool use, roles that do not alternate. Empty means valid.
 */
export function conversationProblems(messages: readonly Message[]): string[] {
  const problems: string[] = []
  messages.forEach((message, index) => {
    const previous = messages[index - 1]
    if (previous !== undefined && previous.role === message.role) {
      problems.push(`messages ${index - 1} and ${index} are both ${message.role} messages`)
    }
    const toolUseIds = message.content.flatMap((block) =>
      'toolUse' in block ? [block.toolUse.toolUseId] : [],
    )
    if (toolUseIds.length > 0) {
      const next = messages[index + 1]
      const answered = new Set(
        next?.content.flatMap((block) => ('toolResult' in block ? [block.toolResult.toolUseId] : [])) ?? [],
      )
      for (const id of toolUseIds)
        if (!answered.has(id)) problems.push(`tool use ${id} in message ${index} has no result`)
    }
    const resultIds = message.content.flatMap((block) =>
      'toolResult' in block ? [block.toolResult.toolUseId] : [],
    )
    if (resultIds.length > 0) {
      const asked = new Set(
        previous?.content.flatMap((block) => ('toolUse' in block ? [block.toolUse.toolUseId] : [])) ?? [],
      )
      for (const id of resultIds)
        if (!asked.has(id)) problems.push(`tool result ${id} in message ${index} answers no tool use`)
    }
  })
  return problems
}
