import { Agent, type ContentBlock } from '@agent/core'
import { ScriptedModel, type ScriptedModelOptions, type ScriptedTurn } from '@agent/core/testing'
import type { MultiAgentEvent } from '../multi-agent-events.js'

/** An agent on a ScriptedModel, silent. */
export function scriptedAgent(
  name: string,
  turns: ScriptedTurn[],
  options: ScriptedModelOptions & { description?: string } = {},
): { agent: Agent; model: ScriptedModel } {
  const model = new ScriptedModel(turns, options)
  const agent = new Agent({
    name,
    description: options.description,
    model,
    callbackHandler: null,
    retryStrategy: null,
  })
  return { agent, model }
}

export const answer = (text: string): ScriptedTurn => ({ content: [{ text }] })

export const handoff = (
  target: string,
  message: string,
  context?: Record<string, string[] | string>,
  id = `h-${target}`,
): ScriptedTurn => ({
  content: [
    {
      toolUse: {
        toolUseId: id,
        name: 'handoff_to_agent',
        input: { target, message, ...(context && { context }) },
      },
    },
  ],
  stopReason: 'tool_use',
})

/** A model request that hangs until aborted, after the first event. */
export const hang: ScriptedTurn = { hang: true, events: [{ messageStart: { role: 'assistant' } }] }

/** The text of every block of the first user message of a request. */
export function promptText(model: ScriptedModel, request = 0): string {
  const content: ContentBlock[] = model.requests[request]!.messages[0]!.content
  return content.map((block) => ('text' in block ? block.text : '')).join('')
}

/** `start:a`, `stop:a:completed`, `handoff:a>b`, `result:completed`: the coordination events, in order. */
export function outline(events: readonly MultiAgentEvent[]): string[] {
  const lines: string[] = []
  for (const event of events) {
    if (event.type === 'multi_agent_node_start') lines.push(`start:${event.node_id}`)
    else if (event.type === 'multi_agent_node_stop')
      lines.push(`stop:${event.node_id}:${event.node_result.status}`)
    else if (event.type === 'multi_agent_handoff') lines.push(`handoff:${event.from_node}>${event.to_node}`)
    else if (event.type === 'multi_agent_result') lines.push(`result:${event.result.status}`)
  }
  return lines
}

export async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1))
}
