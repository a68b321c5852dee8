import type { ToolResultContent } from '../types/messages.js'

/** Default cap on a tool result's text and JSON, in characters (about 25 000 tokens). */
export const defaultMaxResultChars = 100_000

/**
 * Cuts a tool result whose text and JSON exceed `maxChars` characters, so that one huge result does not go
 * verbatim into the conversation and every request after it. The cut ends with a note the model can read.
 * JSON past the cap becomes text (a cut JSON value is not JSON). Images and documents are kept as they are.
 */
export function limitToolResult(content: ToolResultContent[], maxChars: number): ToolResultContent[] {
  const sizes = content.map(textSize)
  let total = 0
  for (const size of sizes) total += size
  if (total <= maxChars) return content

  const kept: ToolResultContent[] = []
  let room = maxChars
  let cut = false
  for (const [index, block] of content.entries()) {
    const size = sizes[index]!
    if (size === 0 || (!cut && size <= room)) {
      kept.push(block)
      room -= size
      continue
    }
    if (cut) continue
    cut = true
    const text = 'text' in block ? block.text : JSON.stringify((block as { json: unknown }).json)
    kept.push({
      text: `${text.slice(0, room)}\n\n[The tool result was cut: it had ${total} characters and the limit is ${maxChars}. Ask the tool for less (a narrower query, a smaller range, fewer items).]`,
    })
  }
  return kept
}

function textSize(block: ToolResultContent): number {
  if ('text' in block) return block.text.length
  if ('json' in block) return JSON.stringify(block.json).length
  return 0
}
