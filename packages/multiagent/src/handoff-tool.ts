import { type JsonObject, type Tool, tool } from '@agent/core'

export const handoffToolName = 'handoff_to_agent'

/** What an agent asks for when it hands off. */
export interface HandoffRequest {
  target: string
  message: string
  context?: JsonObject
  toolUseId: string
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
  return tool<{ target: string; message: string; context?: JsonObject }, string>({
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
          description: 'What the next agent should do, and why it is handed to it.',
        },
        context: { type: 'object', description: 'Facts or results the next agent needs (JSON).' },
      },
      required: ['target', 'message'],
      additionalProperties: false,
    },
    callback: (input, context) => accept({ ...input, toolUseId: context.toolUse.toolUseId }),
  })
}
