import type { Agent, ContentBlock, JsonObject, JsonValue, Message } from '@agent/core'
import { isMultiAgent, type MultiAgent, type MultiAgentPrompt } from './multi-agent.js'
import type { FunctionNodeEvent } from './multi-agent-events.js'
import type { NodeResult, NodeType } from './node-result.js'

/** What a function node receives. */
export interface FunctionNodeInput {
  /** The original task of the run. */
  task: MultiAgentPrompt
  /** The prompt built for this node (the task, plus the outputs of the nodes it depends on). */
  prompt: ContentBlock[]
  /** The latest result of every node that finished so far, by id. */
  results: Readonly<Record<string, NodeResult>>
  /** Aborts when the run is cancelled or the node's deadline passes. */
  signal: AbortSignal
}

/**
 * A node that runs code instead of a model: it returns a JSON value (or a promise of one), or is an async
 * generator whose yields (`{ type: 'custom', data }`) stream as the node's events and whose return is its value.
 */
export type FunctionNode = (
  input: FunctionNodeInput,
) => JsonValue | Promise<JsonValue> | AsyncGenerator<FunctionNodeEvent, JsonValue, undefined>

/** What can be a node: an agent, a nested Swarm or Graph, or a function. */
export type NodeExecutor = Agent | MultiAgent | FunctionNode

/** A node of a Swarm or Graph: its executor, and the agent's starting conversation to return to on each run. */
export class MultiAgentNode {
  readonly type: NodeType
  private readonly initial: { messages: Message[]; state: JsonObject } | undefined

  readonly id: string
  readonly executor: NodeExecutor

  constructor(id: string, executor: NodeExecutor) {
    this.id = id
    this.executor = executor
    if (typeof executor === 'function') this.type = 'function'
    else if (isMultiAgent(executor)) this.type = executor.kind
    else if (isAgent(executor)) this.type = 'agent'
    else throw new TypeError(`Node "${id}" must be an Agent, a Swarm, a Graph or a function.`)
    if (this.type === 'agent') {
      const agent = executor as Agent
      this.initial = { messages: structuredClone(agent.messages), state: agent.state.toJSON() }
    }
  }

  /** Each execution of an agent node starts from the conversation and state the agent had when added. */
  reset(): void {
    if (this.initial === undefined) return
    const agent = this.executor as Agent
    agent.messages = structuredClone(this.initial.messages)
    agent.state.replace(structuredClone(this.initial.state))
  }
}

function isAgent(value: unknown): value is Agent {
  const candidate = value as Partial<Agent> | null
  return (
    typeof candidate?.stream === 'function' &&
    Array.isArray(candidate.messages) &&
    typeof candidate.state?.toJSON === 'function'
  )
}
