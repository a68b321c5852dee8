import type { Prompt } from '@agent/core'

/** An event any streamable yields: a plain-JSON object with a `type`. */
export interface StreamableEvent {
  readonly type: string
}

/**
 * What the agent routes serve: an `Agent`, a Swarm or Graph of `@agent/multiagent`, or anything else whose
 * `stream` yields plain-JSON events with a `type`, follows `signal`, and returns its result.
 */
export interface Streamable {
  stream(prompt: Prompt, options: { signal: AbortSignal }): AsyncGenerator<StreamableEvent, unknown>
}

/** Runs a streamable to its result (what `POST /invoke` answers with). */
export async function runToResult(
  streamable: Streamable,
  prompt: Prompt,
  signal: AbortSignal,
): Promise<unknown> {
  const stream = streamable.stream(prompt, { signal })
  let step = await stream.next()
  while (!step.done) step = await stream.next()
  return step.value
}

/** A result's text: an agent result's `String()`, or a multi-agent result's `text`. */
export function resultText(result: unknown): string {
  const text = (result as { text?: unknown } | null)?.text
  return typeof text === 'string' ? text : String(result)
}

/** The innermost event of a multi-agent node's stream (its agents' `data` is what `text/plain` sends). */
export function innermostEvent(event: StreamableEvent): StreamableEvent {
  let inner = event
  while (inner.type === 'multi_agent_node_stream')
    inner = (inner as unknown as { event: StreamableEvent }).event
  return inner
}
