import { type JsonObject, type Tool, tool } from '@agent/core'

export const handoffToolName = 'handoff_to_agent'

/**
 * A handoff's message and context go into the next agent's prompt: a prompt-injected agent must not be able to
 * flood it. The model is told the limits and gets an error result it can act on when it passes them.
 */
export const maxHandoffMessageChars = 8_000
export const maxHandoffContextChars = 32_000

/** What an agent asks for when it hands off. */
export interface HandoffRequest {
  target: string
  message: string
  context?: JsonObject
  toolUseId: string
}

/** The tool's error result, for a handoff the swarm does not take. */
interface RefusedHandoff {
  status: 'error'
  content: { text: string }[]
}

/**
 * The tool a Swarm gives each of its agents. `accept` records the request for the swarm, which ends the
 * agent's turn once the tool's result is in and starts the target; it returns what the model is told.
 */
export function createHandoffTool(
  targets: readonly { name: string; description: string | undefined }[],
  accept: (request: HandoffRequest) => string,
): Tool {
  const list = targets.map(
    (target) => `- ${target.name}${target.description ? `: ${target.description}` : ''}`,
  )
  return tool<{ target: string; message: string; context?: JsonObject }, string | RefusedHandoff>({
    name: handoffToolName,
    description: `Hand the task over to another agent of the team when it is better placed to continue. You stop working once you call this.\n${list.join('\n')}`,
    inputSchema: {
      type: 'object',
      properties: {
        target: {
          type: 'string',
          enum: targets.map((target) => target.name),
          description: 'The agent to hand off to.',
        },
        message: {
          type: 'string',
          maxLength: maxHandoffMessageChars,
          description: `What the next agent should do, and why it is handed to it (at most ${maxHandoffMessageChars} characters).`,
        },
        context: {
          type: 'object',
          description: `Facts or results the next agent needs (JSON, at most ${maxHandoffContextChars} characters).`,
        },
      },
      required: ['target', 'message'],
      additionalProperties: false,
    },
    callback: (input, context) => {
      const contextChars = input.context === undefined ? 0 : JSON.stringify(input.context).length
      if (contextChars > maxHandoffContextChars) {
        return {
          status: 'error',
          content: [
            {
              text: `Error: the handoff context is ${contextChars} characters; keep it under ${maxHandoffContextChars} (summarise, or pass only what the next agent needs) and call ${handoffToolName} again.`,
            },
          ],
        }
      }
      return accept({ ...input, toolUseId: context.toolUse.toolUseId })
    },
  })
}
