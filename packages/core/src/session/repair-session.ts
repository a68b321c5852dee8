import { errorResult } from '../tools/run-tool.js'
import type { ContentBlock, Message } from '../types/messages.js'

/**
 * Makes a restored conversation valid again: every tool use whose result never arrived (the process
 * stopped between a `toolUse` and its `toolResult`) gets an error result the model can act on.
 * Returns how many results it added. Messages from `end` on are left as they are (an interrupted turn).
 */
export function repairRestoredConversation(messages: Message[], end = messages.length): number {
  let added = 0
  for (let index = 0; index < end; index++) {
    const message = messages[index]!
    if (message.role !== 'assistant') continue
    const next = messages[index + 1]
    const answered = new Set<string>()
    if (next?.role === 'user') {
      for (const block of next.content) if ('toolResult' in block) answered.add(block.toolResult.toolUseId)
    }
    const missing: ContentBlock[] = []
    for (const block of message.content) {
      if (!('toolUse' in block) || answered.has(block.toolUse.toolUseId)) continue
      missing.push({
        toolResult: errorResult(
          block.toolUse.toolUseId,
          `Tool "${block.toolUse.name}" did not return a result: the previous process stopped before it finished. Call it again if it is still needed.`,
        ),
      })
    }
    if (missing.length === 0) continue
    added += missing.length
    if (next?.role === 'user') next.content.unshift(...missing)
    else messages.splice(index + 1, 0, { role: 'user', content: missing })
  }
  return added
}
