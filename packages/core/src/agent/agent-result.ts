import type { Interrupt } from '../interrupt/interrupt.js'
import type { AgentMetricsWithSummary } from '../metrics/agent-metrics.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { Message } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'

/** The outcome of one invocation. Plain JSON; `String(result)` is the final text. */
export interface AgentResult {
  stopReason: StopReason
  /** The last assistant message. */
  message: Message
  /** What the invocation cost; `metrics.summary()` renders it as text. */
  metrics: AgentMetricsWithSummary
  /** A snapshot of `agent.state` at the end. */
  state: JsonObject
  /** The validated output, when the invocation asked for `structuredOutput`. */
  structuredOutput?: JsonValue
  /** With stop reason `interrupt`: the questions waiting for a response. */
  interrupts?: Interrupt[]
}

/** The result of an invocation with `structuredOutput`: the output is validated and typed by the schema. */
export type StructuredAgentResult<Output> = Omit<AgentResult, 'structuredOutput'> & {
  /** Absent only when the run was stopped with `agent.cancel()` (stop reason `cancelled`). */
  structuredOutput: Output
}

export function createAgentResult(fields: AgentResult): AgentResult {
  // Not enumerable, so that JSON and deep equality see only the data.
  Object.defineProperty(fields, 'toString', { value: () => messageText(fields.message), enumerable: false })
  return fields
}

/** The text blocks of a message, joined. */
export function messageText(message: Message): string {
  let text = ''
  for (const block of message.content) {
    if ('text' in block) text += block.text
    else if ('citationsContent' in block) {
      const cited = block.citationsContent as { content?: { text?: string }[] }
      for (const part of cited.content ?? []) text += part.text ?? ''
    }
  }
  return text
}
