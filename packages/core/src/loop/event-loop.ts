import type { Agent } from '../agent/agent.js'
import { type AgentResult, createAgentResult } from '../agent/agent-result.js'
import { type ConversationManager, cannotReduce } from '../conversation/conversation-manager.js'
import { AgentError } from '../errors/agent-error.js'
import { AbortError, MaxTokensReachedError, StructuredOutputError } from '../errors/invocation-errors.js'
import { ContextWindowOverflowError } from '../errors/model-error.js'
import type { AgentEvent } from '../events/agent-events.js'
import {
  AfterInvocationEvent,
  AfterModelCallEvent,
  BeforeInvocationEvent,
  BeforeModelCallEvent,
  MessageAddedEvent,
} from '../hooks/hook-events.js'
import type { HookRegistry } from '../hooks/hook-registry.js'
import { MetricsCollector } from '../metrics/agent-metrics.js'
import type { Model, ModelRequest, ToolChoice } from '../model/model.js'
import type { RetryStrategy } from '../retry/retry-strategy.js'
import { StructuredOutputRun } from '../structured-output/structured-output.js'
import type { StandardSchema } from '../tools/input-schema.js'
import type { ToolRegistry } from '../tools/tool-registry.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { ContentBlock, Message, ToolResult, ToolUse } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Usage } from '../types/usage.js'
import { executeTools } from './execute-tools.js'
import { MessageAggregator } from './message-aggregator.js'
import { answerOpenToolUses, appendUserContent } from './repair-conversation.js'

/** Token budgets of one invocation; reaching one ends it with stop reason `max_total_tokens` / `max_output_tokens`. */
export interface TokenLimits {
  /** Input + output tokens over all model calls of the invocation. */
  total?: number
  /** Output tokens over all model calls of the invocation. */
  output?: number
}

/** Context window overflows handled in one cycle before giving up (each reduction must shrink the conversation). */
const maxContextReductionsPerCycle = 32

/** Everything one invocation needs. Built by `Agent`; the loop holds no other state. */
export interface Invocation {
  agent: Agent
  resolveModel: () => Promise<Model>
  messages: Message[]
  prompt: ContentBlock[] | Message[] | undefined
  systemPrompt: string | ContentBlock[] | undefined
  registry: ToolRegistry
  toolChoice?: ToolChoice
  state: () => JsonObject
  /** The invocation's own controller: aborted by the caller's signal, `agent.cancel()` or an early `break`. */
  controller: AbortController
  /** True when the abort came from `agent.cancel()`, which ends the run with stop reason `cancelled`. */
  wasCancelled: () => boolean
  callbackHandler: ((event: AgentEvent) => void) | undefined
  maxCycles: number
  toolConcurrency: number
  toolTimeoutMs: number
  hooks: HookRegistry
  /** Undefined: failed model calls are not retried. */
  retryStrategy: RetryStrategy | undefined
  conversationManager: ConversationManager
  maxTokens: TokenLimits | undefined
  structuredOutput: StandardSchema | undefined
  /** Called when iteration starts; throws `ConcurrencyError` when the agent is busy. */
  begin: () => void
  /** Called once when the invocation is over, however it ended. */
  onEnd: () => void
}

/**
 * The event loop: one async generator, one `while` per model cycle. Per provider chunk it yields the
 * `model_stream` event and at most one derived event, with no nested generator in between (DESIGN §8).
 * Retries, hooks and context reduction happen per model call, around the chunk loop, never inside it.
 */
export async function* runEventLoop(invocation: Invocation): AsyncGenerator<AgentEvent, AgentResult> {
  const { messages, controller, callbackHandler: notify, hooks, agent } = invocation
  const signal = controller.signal
  const metrics = new MetricsCollector()
  const toolResults = new Map<string, ToolResult>()
  let aggregator: MessageAggregator | undefined
  let completed = false
  let result: AgentResult | undefined
  let failure: { error: unknown } | undefined

  invocation.begin()
  try {
    await hooks.invoke(new BeforeInvocationEvent(agent))
    if (invocation.prompt !== undefined) await addPrompt(invocation.prompt)
    const model = await invocation.resolveModel()
    const output =
      invocation.structuredOutput === undefined
        ? undefined
        : new StructuredOutputRun(invocation.structuredOutput, invocation.registry)
    const registry = output?.registry ?? invocation.registry
    const toolSpecs = registry.size > 0 ? registry.specs() : undefined

    const init: AgentEvent = { type: 'init_event_loop', init_event_loop: true }
    notify?.(init)
    yield init

    let cycle = 0
    while (true) {
      if (signal.aborted) throw abortReason(signal)
      if (cycle >= invocation.maxCycles) return yield* stopEarly('max_cycles')
      const tokenLimit = tokenLimitReached(metrics.usage, invocation.maxTokens)
      if (tokenLimit !== undefined) return yield* stopEarly(tokenLimit)
      cycle++
      metrics.startCycle(cycle)
      const start: AgentEvent = { type: 'start_event_loop', start_event_loop: true, cycle }
      notify?.(start)
      yield start

      const request: ModelRequest = {
        messages,
        systemPrompt: invocation.systemPrompt,
        toolSpecs,
        toolChoice: output?.forced ? output.toolChoice : invocation.toolChoice,
        signal,
      }
      let turn: ReturnType<MessageAggregator['finish']> | undefined
      let attempt = 0
      let reductions = 0
      while (turn === undefined) {
        attempt++
        if (hooks.has(BeforeModelCallEvent)) {
          await hooks.invoke(new BeforeModelCallEvent(agent, { cycle, attempt, request }))
        }
        metrics.startModelCall()
        let callError: { error: unknown } | undefined
        // The model turn: this is the hot path.
        aggregator = new MessageAggregator()
        const startedAt = performance.now()
        let firstChunkAt: number | undefined
        try {
          for await (const chunk of model.stream(request)) {
            firstChunkAt ??= performance.now()
            const event: AgentEvent = { type: 'model_stream', event: chunk }
            notify?.(event)
            yield event
            const derived = aggregator.accept(chunk)
            if (derived !== undefined) {
              notify?.(derived)
              yield derived
            }
          }
          if (signal.aborted) throw abortReason(signal)
          turn = aggregator.finish()
          metrics.endModelCall(
            cycle,
            aggregator.usage,
            aggregator.metrics?.latencyMs ?? performance.now() - startedAt,
            aggregator.metrics?.timeToFirstByteMs ??
              (firstChunkAt === undefined ? undefined : firstChunkAt - startedAt),
          )
        } catch (error) {
          // An abort is never retried.
          if (signal.aborted || AbortError.isInstance(error)) throw error
          callError = { error }
        }

        if (hooks.has(AfterModelCallEvent)) {
          const after = await hooks.invoke(
            new AfterModelCallEvent(agent, {
              cycle,
              attempt,
              ...(turn === undefined
                ? { error: callError?.error }
                : { message: turn.message, stopReason: turn.stopReason }),
            }),
          )
          if (after.retry) {
            turn = undefined
            continue
          }
        }
        if (callError === undefined) break

        aggregator = undefined
        const error = callError.error
        if (ContextWindowOverflowError.isInstance(error)) {
          if (++reductions > maxContextReductionsPerCycle) {
            throw cannotReduce(`still too large after ${maxContextReductionsPerCycle} reductions`, error)
          }
          await invocation.conversationManager.reduceContext(messages, error, { agent, model, signal })
          metrics.recordContextReduction()
          continue
        }
        const delayMs = invocation.retryStrategy?.delayMs(error, attempt)
        if (delayMs === undefined) throw error
        metrics.recordThrottle()
        yield* emit({ type: 'throttled', event_loop_throttled_delay: delayMs / 1000 })
        await invocation.retryStrategy!.sleep(delayMs, signal)
      }
      const invalidToolInputs = aggregator!.invalidToolInputs
      aggregator = undefined
      const { message: assistantMessage, stopReason } = turn as NonNullable<typeof turn>
      yield* addMessage(assistantMessage)

      if (stopReason !== 'tool_use') {
        if (stopReason === 'max_tokens' && assistantMessage.content.some((block) => 'toolUse' in block)) {
          throw new MaxTokensReachedError(
            'The model reached its output token limit in the middle of a tool call, so the call was not run. Raise the max tokens setting or ask for a shorter answer.',
          )
        }
        if (output !== undefined && stopReason === 'end_turn') {
          // The model answered without the output tool: force it (once more after a refusal).
          if (output.forced) output.recordFailure('it answered without calling the output tool')
          output.forced = true
          yield* addMessage({ role: 'user', content: [{ text: output.instruction }] })
          continue
        }
        if (output !== undefined) {
          throw new StructuredOutputError(
            `The model stopped (${stopReason}) before producing structured output. Try again or change the prompt.`,
          )
        }
        return yield* finish(stopReason, assistantMessage)
      }

      // The tool turn: every tool use gets a result, in the order the model asked.
      const toolUses: ToolUse[] = []
      for (const block of assistantMessage.content) if ('toolUse' in block) toolUses.push(block.toolUse)
      const tools = executeTools(toolUses, {
        registry,
        agent,
        signal,
        concurrency: invocation.toolConcurrency,
        defaultTimeoutMs: invocation.toolTimeoutMs,
        invalidToolInputs,
        results: toolResults,
        hooks,
        onToolFinished: (toolUse, result, durationMs) => metrics.recordTool(toolUse.name, result, durationMs),
      })
      let step = await tools.next()
      while (!step.done) {
        yield* emit(step.value)
        step = await tools.next()
      }
      if (signal.aborted) throw abortReason(signal)
      const resultsMessage: Message = {
        role: 'user',
        content: step.value.map((toolResult) => ({ toolResult })),
      }
      toolResults.clear()
      yield* addMessage(resultsMessage)

      if (output?.captured) {
        yield* emit({ type: 'structured_output', structured_output: output.value as JsonValue })
        return yield* finish('end_turn', assistantMessage, output.value)
      }
      if (output?.calledIn(toolUses)) {
        // Its input did not match the schema: the error result tells the model what to fix.
        output.recordFailure('its input did not match the schema')
        output.forced = true
      }
    }
  } catch (error) {
    await keepWhatIsValid(true)
    if (invocation.wasCancelled()) {
      return yield* finish('cancelled', lastAssistantMessage(messages))
    }
    const thrown = AbortError.isInstance(error) || signal.aborted ? toAbortError(signal, error) : error
    failure = { error: thrown }
    yield* emit({ type: 'force_stop', force_stop: true, force_stop_reason: reasonOf(thrown) })
    throw thrown
  } finally {
    try {
      if (!completed) {
        // An early `break` (or a throw) lands here: stop the model request and the tools, keep the conversation valid.
        controller.abort(new AbortError('The consumer stopped reading the stream.'))
        await keepWhatIsValid(failure !== undefined)
      }
      await invocation.conversationManager.applyManagement(messages, { agent })
      const after = new AfterInvocationEvent(agent, {
        ...(result !== undefined && { result }),
        ...(!completed && { error: failure?.error ?? toAbortError(signal, signal.reason) }),
      })
      try {
        await hooks.invoke(after)
      } catch (hookError) {
        // The run's own error matters more than a hook's; a successful run reports the hook's.
        // biome-ignore lint/correctness/noUnsafeFinally: only when the run itself did not fail
        if (failure === undefined) throw hookError
      }
    } finally {
      invocation.onEnd()
    }
  }

  async function addPrompt(prompt: ContentBlock[] | Message[]): Promise<void> {
    if (prompt.length > 0 && 'role' in prompt[0]!) {
      for (const message of prompt as Message[]) {
        if (message.role === 'user') await added(appendUserContent(messages, [...message.content]))
        else {
          messages.push(message)
          await added(message)
        }
      }
      return
    }
    await added(appendUserContent(messages, [...(prompt as ContentBlock[])]))
  }

  async function added(message: Message): Promise<void> {
    if (hooks.has(MessageAddedEvent)) await hooks.invoke(new MessageAddedEvent(agent, message))
  }

  async function* addMessage(message: Message): AsyncGenerator<AgentEvent, void> {
    messages.push(message)
    await added(message)
    yield* emit({ type: 'message', message })
  }

  /** After an interruption: keeps finished text and answers open tool uses. `quiet`: hook errors are ignored. */
  async function keepWhatIsValid(quiet: boolean): Promise<void> {
    const partial = aggregator?.partialMessage()
    aggregator = undefined
    const before = messages.length
    if (partial !== undefined) messages.push(partial)
    answerOpenToolUses(messages, toolResults, 'was cancelled because the run stopped before it finished.')
    for (const message of messages.slice(before)) {
      try {
        await added(message)
      } catch (error) {
        if (!quiet) throw error
      }
    }
  }

  async function* emit(event: AgentEvent): AsyncGenerator<AgentEvent, void> {
    notify?.(event)
    yield event
  }

  async function* stopEarly(stopReason: StopReason): AsyncGenerator<AgentEvent, AgentResult> {
    if (invocation.structuredOutput !== undefined) {
      throw new StructuredOutputError(
        `The run stopped (${stopReason}) before the model produced structured output. Raise the limit or simplify the task.`,
      )
    }
    return yield* finish(stopReason, lastAssistantMessage(messages))
  }

  async function* finish(
    stopReason: StopReason,
    message: Message,
    structuredOutput?: JsonValue,
  ): AsyncGenerator<AgentEvent, AgentResult> {
    completed = true
    result = createAgentResult({
      stopReason,
      message,
      metrics: metrics.finish(),
      state: invocation.state(),
      ...(structuredOutput !== undefined && { structuredOutput }),
    })
    yield* emit({ type: 'result', result })
    return result
  }
}

function tokenLimitReached(usage: Usage, limits: TokenLimits | undefined): StopReason | undefined {
  if (limits === undefined) return undefined
  if (limits.total !== undefined && usage.totalTokens >= limits.total) return 'max_total_tokens'
  if (limits.output !== undefined && usage.outputTokens >= limits.output) return 'max_output_tokens'
  return undefined
}

function lastAssistantMessage(messages: readonly Message[]): Message {
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index]!.role === 'assistant') return messages[index]!
  }
  return { role: 'assistant', content: [] }
}

function abortReason(signal: AbortSignal): Error {
  return toAbortError(signal, signal.reason)
}

function toAbortError(signal: AbortSignal, error: unknown): Error {
  if (AbortError.isInstance(error) && AgentError.isInstance(error)) return error
  const reason = signal.reason
  if (AbortError.isInstance(reason) && AgentError.isInstance(reason)) return reason
  return new AbortError('The run was aborted.', { cause: reason ?? error })
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
