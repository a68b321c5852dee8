import type { AgentEvent } from '../events/agent-events.js'
import type { AgentState } from '../state/agent-state.js'
import { tool } from '../tools/tool.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { Message } from '../types/messages.js'
import type { Tool } from './agent-context.js'
import type { AgentResult } from './agent-result.js'

/** What `agentAsTool` uses of an agent (an `Agent` has it; named apart so that this file needs no import of the class). */
export interface StreamingAgent {
  readonly name: string
  readonly description: string | undefined
  messages: Message[]
  readonly state: AgentState
  stream(prompt: string, options: { signal: AbortSignal }): AsyncGenerator<AgentEvent, AgentResult>
}

export interface AgentAsToolOptions {
  /** The tool's name. Default: the agent's name. */
  name?: string
  /** What the calling model is told the tool is for. Default: the agent's description. */
  description?: string
  /**
   * Keep the sub-agent's conversation from one call to the next. Default false: every call starts from
   * the conversation and state the agent had when it was turned into a tool.
   */
  preserveContext?: boolean
}

/** The `data` of each `tool_stream` event an agent-as-tool yields: the sub-agent's event, unchanged. */
export interface AgentToolStreamData {
  agent: string
  event: AgentEvent
}

const inputSchema: JsonObject = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The request for the agent, in full.' } },
  required: ['input'],
  additionalProperties: false,
}

/**
 * Wraps an agent as a tool whose input is `{ input: string }`. The sub-agent's events stream out as
 * `tool_stream` events while it works, its final text is the tool's result, and the caller's abort
 * (the tool's signal) stops it. Calls of one tool run one after another: an agent runs one invocation at a time.
 */
export function agentAsTool(agent: StreamingAgent, options: AgentAsToolOptions = {}): Tool {
  const name = options.name ?? agent.name
  const description =
    options.description ?? agent.description ?? `Asks the "${agent.name}" agent and returns its answer.`
  const initialMessages = structuredClone(agent.messages) as Message[]
  const initialState = agent.state.toJSON()
  let queue: Promise<void> = Promise.resolve()

  return tool<{ input: string }, string>({
    name,
    description,
    inputSchema,
    callback: async function* (input, context): AsyncGenerator<JsonValue, string, undefined> {
      const previous = queue
      let release!: () => void
      queue = new Promise((resolve) => {
        release = resolve
      })
      try {
        await previous
        if (options.preserveContext !== true) {
          agent.messages = structuredClone(initialMessages)
          agent.state.replace(structuredClone(initialState))
        }
        const stream = agent.stream(input.input, { signal: context.signal })
        let done = false
        try {
          let step = await stream.next()
          while (!step.done) {
            const data: AgentToolStreamData = { agent: agent.name, event: step.value }
            yield data as unknown as JsonValue
            step = await stream.next()
          }
          done = true
          return String(step.value)
        } finally {
          // Abandoned (the caller stopped reading): end the sub-agent's run too.
          if (!done) await stream.return(undefined as never).catch(() => {})
        }
      } finally {
        release()
      }
    },
  })
}
