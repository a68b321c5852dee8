import type { ContextWindowOverflowError } from '../errors/model-error.js'
import type { ContentBlock, Message, ToolResult } from '../types/messages.js'
import { type ConversationManager, cannotReduce, isSafeStart } from './conversation-manager.js'

export interface SlidingWindowConversationManagerOptions {
  /** Messages kept after each invocation. Default 40. */
  windowSize?: number
  /** On overflow, first shorten tool results larger than `toolResultMaxChars`. Default true. */
  truncateToolResults?: boolean
  /** A tool result larger than this (characters of text, JSON or base64) is oversized. Default 10 000. */
  toolResultMaxChars?: number
  /** Characters of an oversized result's text kept at its start. Default 1000. */
  truncatedToolResultKeepChars?: number
}

/**
 * The default manager: keeps the last `windowSize` messages, cutting only where no tool use would lose its
 * result. On a context overflow it first truncates oversized tool results, then drops the oldest messages.
 */
export class SlidingWindowConversationManager implements ConversationManager {
  readonly windowSize: number
  private readonly truncateToolResults: boolean
  private readonly toolResultMaxChars: number
  private readonly keepChars: number
  /** Messages removed from the conversation so far. */
  removedMessageCount = 0

  constructor(options: SlidingWindowConversationManagerOptions = {}) {
    this.windowSize = Math.max(1, Math.floor(options.windowSize ?? 40))
    this.truncateToolResults = options.truncateToolResults ?? true
    this.toolResultMaxChars = options.toolResultMaxChars ?? 10_000
    this.keepChars = Math.min(options.truncatedToolResultKeepChars ?? 1000, this.toolResultMaxChars)
  }

  applyManagement(messages: Message[]): void {
    if (messages.length <= this.windowSize) return
    const start = this.findStart(messages, messages.length - this.windowSize)
    // No safe place to cut: keep the conversation longer rather than break a tool pair.
    if (start !== undefined) this.remove(messages, start)
  }

  reduceContext(messages: Message[], error: ContextWindowOverflowError): void {
    if (this.truncateToolResults && this.truncateOversizedToolResults(messages) > 0) return
    const start = this.findStart(messages, Math.max(1, messages.length - this.windowSize))
    if (start === undefined) {
      throw cannotReduce(
        `${messages.length} message(s) left and none can be removed without separating a tool use from its result or dropping the latest prompt`,
        error,
      )
    }
    this.remove(messages, start)
  }

  /** Shortens every oversized tool result; returns how many it shortened. */
  truncateOversizedToolResults(messages: Message[]): number {
    let truncated = 0
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index]!
      let content: ContentBlock[] | undefined
      message.content.forEach((block, blockIndex) => {
        if (!('toolResult' in block)) return
        const size = toolResultSize(block.toolResult)
        if (size <= this.toolResultMaxChars) return
        const text = truncatedText(block.toolResult, this.keepChars, size)
        content ??= [...message.content]
        content[blockIndex] = { toolResult: { ...block.toolResult, content: [{ text }] } }
        truncated++
      })
      // A changed message is a new object, so whatever a provider converted from the old one is not reused.
      if (content !== undefined) messages[index] = { ...message, content }
    }
    return truncated
  }

  private findStart(messages: readonly Message[], from: number): number | undefined {
    for (let index = Math.max(1, from); index < messages.length; index++) {
      if (isSafeStart(messages, index)) return index
    }
    return undefined
  }

  private remove(messages: Message[], start: number): void {
    messages.splice(0, start)
    this.removedMessageCount += start
  }
}

function toolResultSize(result: ToolResult): number {
  let size = 0
  for (const part of result.content) {
    if ('text' in part) size += part.text.length
    else if ('json' in part) size += JSON.stringify(part.json).length
    else if ('image' in part) size += 'bytes' in part.image.source ? part.image.source.bytes.length : 0
    else if ('document' in part) {
      const source = part.document.source
      size += 'bytes' in source ? source.bytes.length : source.text.length
    }
  }
  return size
}

function truncatedText(result: ToolResult, keepChars: number, size: number): string {
  let text = ''
  for (const part of result.content as ContentBlock[] & ToolResult['content']) {
    if ('text' in part) text += part.text
    else if ('json' in part) text += JSON.stringify(part.json)
    if (text.length >= keepChars) break
  }
  const kept = text.slice(0, keepChars)
  return `${kept}\n[Tool result truncated to fit the context window: ${size - kept.length} of ${size} characters removed.]`
}
