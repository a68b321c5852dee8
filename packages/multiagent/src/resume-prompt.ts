import type { InterruptResponseContent } from '@agent/core'
import type { MultiAgentPrompt } from './multi-agent.js'

/** True for a prompt made only of `interruptResponse` blocks: a resume of a run paused by interrupts. */
export function isResumePrompt(
  prompt: MultiAgentPrompt | InterruptResponseContent[],
): prompt is InterruptResponseContent[] {
  return (
    Array.isArray(prompt) &&
    prompt.length > 0 &&
    prompt.every((block) => typeof block === 'object' && block !== null && 'interruptResponse' in block)
  )
}
