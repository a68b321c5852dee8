import type { AgentMetrics } from '../metrics/agent-metrics.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { Message } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'

/** The outcome of one invocation. Plain JSON; `String(result)` is the final text. */
export interface AgentResult {
  stopReason: StopReason
  /** The last assistant message. */
  message: Message
  metrics: AgentMetrics
  /** A snapshot of `agent.state` at the end. */
  state: JsonObject
  structuredOutput?: JsonValue
}

export function createAgentResult(fields: AgentResult): AgentResult {
  // Not enumerable, so that JSON and deep equality see only the data.
  Object.defineProperty(fields, 'toString', { value: () => messageText(fields.message), enumerable: false })
  return fields
}

/** The text blocks of a message, joined. */
export function messageText(message: Message): string {
  let text = ''
  for (const block of message.content) if ('text' in block) text += block.text
  return text
}
