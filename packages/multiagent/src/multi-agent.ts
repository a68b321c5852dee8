import type { ContentBlock } from '@agent/core'
import type { GraphResult } from './graph-result.js'
import type { MultiAgentEvent } from './multi-agent-events.js'
import type { SwarmResult } from './swarm-result.js'

/** A task for a Swarm or Graph: text, or content blocks (e.g. text with an image). */
export type MultiAgentPrompt = string | ContentBlock[]

export interface MultiAgentStreamOptions {
  /** Aborts the run: every running node is stopped and the result has status `cancelled`. */
  signal?: AbortSignal
}

/** A Swarm or a Graph: anything that can be a node of another one. */
export interface MultiAgent<Result extends SwarmResult | GraphResult = SwarmResult | GraphResult> {
  readonly kind: 'swarm' | 'graph'
  stream(
    prompt: MultiAgentPrompt,
    options?: MultiAgentStreamOptions,
  ): AsyncGenerator<MultiAgentEvent<Result>, Result>
  invoke(prompt: MultiAgentPrompt, options?: MultiAgentStreamOptions): Promise<Result>
}

export function isMultiAgent(value: unknown): value is MultiAgent {
  const kind = (value as Partial<MultiAgent> | null)?.kind
  return (kind === 'swarm' || kind === 'graph') && typeof (value as MultiAgent).stream === 'function'
}

export function toContent(prompt: MultiAgentPrompt): ContentBlock[] {
  return typeof prompt === 'string' ? [{ text: prompt }] : prompt
}

/** Drains a stream to its return value (what `invoke` does). */
export async function drain<Result>(stream: AsyncGenerator<unknown, Result>): Promise<Result> {
  let step = await stream.next()
  while (!step.done) step = await stream.next()
  return step.value
}
