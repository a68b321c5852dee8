import type { AgentContext } from '../agent/agent-context.js'
import { ContextWindowOverflowError } from '../errors/model-error.js'
import type { Model } from '../model/model.js'
import type { ContentBlock, Message } from '../types/messages.js'

/** What a conversation manager may use besides the messages. */
export interface ConversationManagerContext {
  agent: AgentContext
  /** The agent's model (a summarizing manager may call it). */
  model: Model
  /** The invocation's signal: a manager that calls a model passes it on. */
  signal: AbortSignal
}

/**
 * Keeps `agent.messages` within what the model can take. Managers edit the array in place and must
 * leave it valid: no tool use without its result, no result without its tool use, roles alternating.
 */
export interface ConversationManager {
  /** Runs after every invocation, however it ended. */
  applyManagement(messages: Message[], context: { agent: AgentContext }): void | Promise<void>
  /**
   * Runs when the model reports a context window overflow; the loop then retries the model call. Must make
   * the conversation smaller, or throw a `ContextWindowOverflowError` saying that it cannot.
   */
  reduceContext(
    messages: Message[],
    error: ContextWindowOverflowError,
    context: ConversationManagerContext,
  ): void | Promise<void>
}

/** Keeps every message; an overflow ends the run with a `ContextWindowOverflowError`. */
export class NullConversationManager implements ConversationManager {
  applyManagement(): void {}

  reduceContext(_messages: Message[], error: ContextWindowOverflowError): never {
    throw cannotReduce('NullConversationManager keeps every message', error)
  }
}

/** The error that ends a run when a manager can remove nothing more. */
export function cannotReduce(why: string, cause: unknown): ContextWindowOverflowError {
  return new ContextWindowOverflowError(
    `The conversation does not fit the model's context window and cannot be made smaller (${why}). Start a new conversation, send a shorter prompt, or use a model with a larger context window.`,
    { cause },
  )
}

/**
 * True when the conversation may start at `index`: a user message that answers no tool use, so that
 * removing everything before it separates no tool use from its result.
 */
export function isSafeStart(messages: readonly Message[], index: number): boolean {
  const message = messages[index]
  return (
    message !== undefined &&
    message.role === 'user' &&
    !message.content.some((block: ContentBlock) => 'toolResult' in block)
  )
}
