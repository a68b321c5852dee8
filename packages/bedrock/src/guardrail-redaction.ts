import type { Message } from '@agent/core'
import type { BedrockGuardrailOptions } from './bedrock-model-options.js'

export const defaultRedactInputMessage = '[User input redacted.]'
export const defaultRedactOutputMessage = '[Assistant output redacted.]'

/**
 * Bedrock's guardrail redaction notice, as Strands streams it. It is not (yet) part of core's
 * `ModelStreamEvent` union: the loop passes it on in a `model_stream` event and otherwise ignores it.
 */
export interface RedactContentEvent {
  redactContent: { redactUserContentMessage?: string; redactAssistantContentMessage?: string }
}

/** Which side(s) of the exchange a guardrail trace says were blocked. */
export function blockedByGuardrail(trace: unknown): { input: boolean; output: boolean } {
  const guardrail = (
    trace as { guardrail?: { inputAssessment?: unknown; outputAssessments?: unknown } } | undefined
  )?.guardrail
  return {
    input: containsBlock(guardrail?.inputAssessment),
    output: containsBlock(guardrail?.outputAssessments),
  }
}

/** A policy entry that detected something and blocked it, anywhere in an assessment. */
function containsBlock(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsBlock)
  if (value === null || typeof value !== 'object') return false
  const entry = value as { action?: unknown; detected?: unknown }
  if (entry.action === 'BLOCKED' && entry.detected !== false) return true
  return Object.values(value).some(containsBlock)
}

/**
 * Applies the guardrail's verdict: replaces the blocked user input in the conversation (so it is not sent
 * again) and returns the redaction event to stream, or `undefined` when nothing is to be redacted.
 */
export function redactBlockedContent(
  guardrail: BedrockGuardrailOptions,
  trace: unknown,
  messages: Message[],
): RedactContentEvent | undefined {
  const blocked = blockedByGuardrail(trace)
  const redactContent: RedactContentEvent['redactContent'] = {}
  if (blocked.input && (guardrail.redactInput ?? true)) {
    const text = guardrail.redactInputMessage ?? defaultRedactInputMessage
    redactLatestUserMessage(messages, text)
    redactContent.redactUserContentMessage = text
  }
  if (blocked.output && (guardrail.redactOutput ?? false)) {
    redactContent.redactAssistantContentMessage = guardrail.redactOutputMessage ?? defaultRedactOutputMessage
  }
  return Object.keys(redactContent).length > 0 ? { redactContent } : undefined
}

/** Tool results stay (emptied) so that every tool use keeps its answer and the conversation stays valid. */
function redactLatestUserMessage(messages: Message[], text: string): void {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!
    if (message.role !== 'user') continue
    const toolResults = message.content.flatMap((block) =>
      'toolResult' in block ? [{ toolResult: { ...block.toolResult, content: [{ text }] } }] : [],
    )
    // In place: the agent holds this very array.
    message.content.splice(0, message.content.length, ...(toolResults.length > 0 ? toolResults : [{ text }]))
    return
  }
}
