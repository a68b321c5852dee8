import type { ContentBlock, JsonObject } from '@agent/core'
import { type MultiAgentPrompt, toContent } from './multi-agent.js'
import type { SwarmHandoff } from './swarm-result.js'

export interface SwarmPromptInput {
  task: MultiAgentPrompt
  handoff: SwarmHandoff | undefined
  history: readonly string[]
  sharedContext: Readonly<Record<string, JsonObject>>
  others: readonly { name: string; description: string | undefined }[]
  canHandOff: boolean
}

/** What an agent of a Swarm is given: the task, then who handed it over, who worked on it and what they shared. */
export function swarmPrompt(input: SwarmPromptInput): ContentBlock[] {
  const lines: string[] = ['']
  if (input.handoff !== undefined) {
    lines.push(`Handed over to you by ${input.handoff.from}: ${input.handoff.message}`)
  }
  if (input.history.length > 0) lines.push(`Agents who worked on this so far: ${input.history.join(' → ')}`)
  if (Object.keys(input.sharedContext).length > 0) {
    lines.push(`What they shared (JSON): ${JSON.stringify(input.sharedContext)}`)
  }
  if (input.canHandOff && input.others.length > 0) {
    lines.push('Other agents of the team (hand off with handoff_to_agent only when one is better placed):')
    for (const other of input.others)
      lines.push(`- ${other.name}${other.description ? `: ${other.description}` : ''}`)
  }
  if (lines.length === 1) return toContent(input.task)
  return [...toContent(input.task), { text: lines.join('\n') }]
}
