import type { Agent } from '../agent/agent.js'
import { type AgentResult, createAgentResult } from '../agent/agent-result.js'
import { AgentError } from '../errors/agent-error.js'
import { AbortError, MaxTokensReachedError } from '../errors/invocation-errors.js'
import type { AgentEvent } from '../events/agent-events.js'
import { MetricsCollector } from '../metrics/agent-metrics.js'
import type { Model, ToolChoice } from '../model/model.js'
import type { ToolRegistry } from '../tools/tool-registry.js'
import type { JsonObject } from '../types/json.js'
import type { ContentBlock, Message, ToolResult, ToolUse } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import { executeTools } from './execute-tools.js'
import { MessageAggregator } from './message-aggregator.js'
import { answerOpenToolUses, appendUserContent } from './repair-conversation.js'

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
  /** Called when iteration starts; throws `ConcurrencyError` when the agent is busy. */
  begin: () => void
  /** Called once when the invocation is over, however it ended. */
  onEnd: () => void
}

/**
 * The event loop: one async generator, one `while` per model cycle. Per provider chunk it yields the
 * `model_stream` event and at most one derived event, with no nested generator in between (DESIGN §8).
 */
export async function* runEventLoop(invocation: Invocation): AsyncGenerator<AgentEvent, AgentResult> {
  const { messages, controller, callbackHandler: notify, registry } = invocation
  const signal = controller.signal
  const metrics = new MetricsCollector()
  const toolResults = new Map<string, ToolResult>()
  let aggregator: MessageAggregator | undefined
  let completed = false

  invocation.begin()
  try {
    if (invocation.prompt !== undefined) addPrompt(messages, invocation.prompt)
    const model = await invocation.resolveModel()
    const toolSpecs = registry.size > 0 ? registry.specs() : undefined

    const init: AgentEvent = { type: 'init_event_loop', init_event_loop: true }
    notify?.(init)
    yield init

    let cycle = 0
    while (true) {
      if (signal.aborted) throw abortReason(signal)
      if (cycle >= invocation.maxCycles) {
        return yield* finish('max_cycles', lastAssistantMessage(messages))
      }
      cycle++
      metrics.startCycle(cycle)
      const start: AgentEvent = { type: 'start_event_loop', start_event_loop: true, cycle }
      notify?.(start)
      yield start

      // The model turn: this is the hot path.
      aggregator = new MessageAggregator()
      const startedAt = performance.now()
      let firstChunkAt: number | undefined
      for await (const chunk of model.stream({
        messages,
        systemPrompt: invocation.systemPrompt,
        toolSpecs,
        toolChoice: invocation.toolChoice,
        signal,
      })) {
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
      const turn = aggregator.finish()
      metrics.endModelCall(
        cycle,
        aggregator.usage,
        aggregator.metrics?.latencyMs ?? performance.now() - startedAt,
        aggregator.metrics?.timeToFirstByteMs ??
          (firstChunkAt === undefined ? undefined : firstChunkAt - startedAt),
      )
      const invalidToolInputs = aggregator.invalidToolInputs
      aggregator = undefined
      messages.push(turn.message)
      yield* emit({ type: 'message', message: turn.message })

      if (turn.stopReason !== 'tool_use') {
        if (turn.stopReason === 'max_tokens' && turn.message.content.some((block) => 'toolUse' in block)) {
          throw new MaxTokensReachedError(
            'The model reached its output token limit in the middle of a tool call, so the call was not run. Raise the max tokens setting or ask for a shorter answer.',
          )
        }
        return yield* finish(turn.stopReason, turn.message)
      }

      // The tool turn: every tool use gets a result, in the order the model asked.
      const toolUses: ToolUse[] = []
      for (const block of turn.message.content) if ('toolUse' in block) toolUses.push(block.toolUse)
      const tools = executeTools(toolUses, {
        registry,
        agent: invocation.agent,
        signal,
        concurrency: invocation.toolConcurrency,
        defaultTimeoutMs: invocation.toolTimeoutMs,
        invalidToolInputs,
        results: toolResults,
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
      messages.push(resultsMessage)
      toolResults.clear()
      yield* emit({ type: 'message', message: resultsMessage })
    }
  } catch (error) {
    keepWhatIsValid()
    if (invocation.wasCancelled()) {
      return yield* finish('cancelled', lastAssistantMessage(messages))
    }
    const thrown = AbortError.isInstance(error) || signal.aborted ? toAbortError(signal, error) : error
    yield* emit({ type: 'force_stop', force_stop: true, force_stop_reason: reasonOf(thrown) })
    throw thrown
  } finally {
    if (!completed) {
      // An early `break` (or a throw) lands here: stop the model request and the tools, keep the conversation valid.
      controller.abort(new AbortError('The consumer stopped reading the stream.'))
      keepWhatIsValid()
    }
    invocation.onEnd()
  }

  function keepWhatIsValid(): void {
    const partial = aggregator?.partialMessage()
    aggregator = undefined
    if (partial !== undefined) messages.push(partial)
    answerOpenToolUses(messages, toolResults, 'was cancelled because the run stopped before it finished.')
  }

  async function* emit(event: AgentEvent): AsyncGenerator<AgentEvent, void> {
    notify?.(event)
    yield event
  }

  async function* finish(stopReason: StopReason, message: Message): AsyncGenerator<AgentEvent, AgentResult> {
    completed = true
    const result = createAgentResult({
      stopReason,
      message,
      metrics: metrics.finish(),
      state: invocation.state(),
    })
    yield* emit({ type: 'result', result })
    return result
  }
}

function addPrompt(messages: Message[], prompt: ContentBlock[] | Message[]): void {
  if (prompt.length > 0 && 'role' in prompt[0]!) {
    for (const message of prompt as Message[]) {
      if (message.role === 'user') appendUserContent(messages, [...message.content])
      else messages.push(message)
    }
    return
  }
  appendUserContent(messages, [...(prompt as ContentBlock[])])
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
