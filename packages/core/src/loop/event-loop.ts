import type { AgentContext } from '../agent/agent-context.js'
import { type AgentResult, createAgentResult } from '../agent/agent-result.js'
import { type ConversationManager, cannotReduce } from '../conversation/conversation-manager.js'
import { AgentError } from '../errors/agent-error.js'
import { describeThrownValue } from '../errors/describe-thrown-value.js'
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
import {
  applyInterruptResponses,
  type Interrupt,
  InterruptError,
  type InterruptResponseContent,
  type InterruptState,
  interruptResponsesOf,
} from '../interrupt/interrupt.js'
import { MetricsCollector } from '../metrics/metrics-collector.js'
import type { Model, ModelRequest, ToolChoice } from '../model/model.js'
import type { RetryStrategy } from '../retry/retry-strategy.js'
import { StructuredOutputRun } from '../structured-output/structured-output.js'
import type { StandardSchema } from '../tools/input-schema.js'
import type { ToolRegistry } from '../tools/tool-registry.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { ContentBlock, Message, ToolResult, ToolUse } from '../types/messages.js'
import type { StopReason } from '../types/stop-reason.js'
import type { Metrics, Usage } from '../types/usage.js'
import { type EventLoopGenerator, type ModelStreamOutcome, ModelStreamPhase } from './agent-event-stream.js'
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

/** Context window overflows handled in one invocation before giving up (each reduction must shrink the conversation). */
const maxContextReductions = 32

/** Everything one invocation needs. Built by `Agent`; the loop holds no other state. */
export interface Invocation {
  agent: AgentContext
  resolveModel: () => Promise<Model>
  messages: Message[]
  prompt: ContentBlock[] | Message[] | InterruptResponseContent[] | undefined
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
  /** The agent's pending interrupt state: read after BeforeInvocation (a session may have loaded it), set by the loop. */
  interruptState: { get(): InterruptState | undefined; set(state: InterruptState | undefined): void }
}

/** The mutable state of one invocation, shared by the loop and its helpers. */
interface LoopRun {
  readonly invocation: Invocation
  readonly signal: AbortSignal
  readonly metrics: MetricsCollector
  /** Results of the current tool turn, filled in as tools finish. */
  readonly toolResults: Map<string, ToolResult>
  /** The model turn being streamed, for the error paths. */
  aggregator: MessageAggregator | undefined
  completed: boolean
  result: AgentResult | undefined
  failure: { error: unknown } | undefined
  output: StructuredOutputRun | undefined
  registry: ToolRegistry
  /** How the conversation looked before the prompt was added, to undo it when the model says nothing. */
  beforePrompt: { length: number; trailingContent: number; afterPrompt: number } | undefined
  /** Set when this run resumes an interrupted tool turn. */
  resumed: InterruptState | undefined
  /** True once a tool turn runs: from then on an error answers the open tool uses (a pending interrupt is dropped). */
  toolTurnStarted: boolean
}

/**
 * The event loop: one async generator, one `while` per model cycle. For each model turn it yields a
 * `ModelStreamPhase`; `AgentEventStream` then reads the provider itself, handing out per chunk the
 * `model_stream` event and at most one derived event, and resumes this generator with how the stream
 * ended (DESIGN §8: nothing between the provider and the consumer per token but one plain iterator).
 * Hooks, retries, context reduction, tools and structured output run in helpers, per model call.
 */
export async function* runEventLoop(invocation: Invocation): EventLoopGenerator {
  const signal = invocation.controller.signal
  const run: LoopRun = {
    invocation,
    signal,
    metrics: new MetricsCollector(),
    toolResults: new Map(),
    aggregator: undefined,
    completed: false,
    result: undefined,
    failure: undefined,
    output: undefined,
    registry: invocation.registry,
    beforePrompt: undefined,
    resumed: undefined,
    toolTurnStarted: false,
  }

  invocation.begin()
  try {
    const { model, request } = await prepare(run)
    yield* emit(run, { type: 'init_event_loop', init_event_loop: true })
    if (run.resumed !== undefined) {
      const resumedResult = yield* runToolTurn(run, lastAssistantMessage(invocation.messages), run.resumed)
      if (resumedResult !== undefined) return resumedResult
    }

    let cycle = 0
    while (true) {
      const stopReason = limitReached(run, cycle)
      if (stopReason !== undefined) return yield* stopEarly(run, stopReason)
      cycle++
      run.metrics.startCycle(cycle)
      request.toolChoice = run.output?.forced ? run.output.toolChoice : invocation.toolChoice
      yield* emit(run, { type: 'start_event_loop', start_event_loop: true, cycle })

      let turn: ModelTurn | undefined
      let attempt = 0
      while (true) {
        attempt++
        await beforeModelCall(run, model, { cycle, attempt, request })
        // The model turn, the hot path: `AgentEventStream` reads the provider and hands out its events,
        // then resumes the loop here with how the stream ended.
        const current = new MessageAggregator()
        run.aggregator = current
        const startedAt = performance.now()
        let callError: { error: unknown } | undefined
        let callMetrics: Metrics | undefined
        turn = undefined
        try {
          const streamed = (yield new ModelStreamPhase(model.stream(request), current)) as ModelStreamOutcome
          if (streamed.failure !== undefined) throw streamed.failure.error
          const firstChunkAt = streamed.firstChunkAt
          if (signal.aborted) throw abortReason(signal)
          turn = current.finish()
          callMetrics = recordModelCall(run, cycle, current, startedAt, firstChunkAt)
        } catch (error) {
          // An abort is never retried.
          if (signal.aborted || AbortError.isInstance(error)) throw error
          callError = { error }
        }
        const next = await afterModelCall(run, { cycle, attempt, turn, callError, model, callMetrics })
        if (next === 'accept') break
        if (next !== 'retry') {
          yield* emit(run, { type: 'throttled', event_loop_throttled_delay: next / 1000 })
          await invocation.retryStrategy!.sleep(next, signal)
        }
      }
      const result = yield* afterModelTurn(run, turn!)
      if (result !== undefined) return result
    }
  } catch (error) {
    return yield* onError(run, error)
  } finally {
    await onEnd(run)
  }
}

type ModelTurn = ReturnType<MessageAggregator['finish']>

/** Before the first model call: hooks, the prompt, the model, structured output. Returns the request to reuse. */
async function prepare(run: LoopRun): Promise<{ model: Model; request: ModelRequest }> {
  const { invocation } = run
  await invocation.hooks.invoke(new BeforeInvocationEvent(invocation.agent))
  const responses = interruptResponsesOf(invocation.prompt)
  if (responses !== undefined) {
    run.resumed = applyInterruptResponses(invocation.interruptState.get(), responses)
    if (invocation.messages.at(-1)?.role !== 'assistant') {
      throw new InterruptError(
        'Cannot resume: the conversation changed after the interrupt (its last message is no longer the interrupted turn).',
      )
    }
  } else if (invocation.interruptState.get() !== undefined) {
    await dropInterruptedTurn(run, invocation.interruptState.get()!)
  }
  if (invocation.prompt !== undefined && run.resumed === undefined) {
    const { messages } = invocation
    const trailingContent = messages.at(-1)?.role === 'user' ? messages.at(-1)!.content.length : 0
    run.beforePrompt = { length: messages.length, trailingContent, afterPrompt: 0 }
    await addPrompt(run, invocation.prompt as ContentBlock[] | Message[])
    run.beforePrompt.afterPrompt = messages.length
  }
  const model = await invocation.resolveModel()
  await invocation.registry.load(run.signal)
  if (invocation.structuredOutput !== undefined) {
    run.output = new StructuredOutputRun(invocation.structuredOutput, invocation.registry)
    run.registry = run.output.registry
  }
  const request: ModelRequest = {
    messages: invocation.messages,
    systemPrompt: invocation.systemPrompt,
    toolSpecs: run.registry.size > 0 ? run.registry.specs() : undefined,
    toolChoice: invocation.toolChoice,
    signal: run.signal,
  }
  return { model, request }
}

/** The stop reason when the run must stop before the next cycle; throws when it was aborted. */
function limitReached(run: LoopRun, cycle: number): StopReason | undefined {
  if (run.signal.aborted) throw abortReason(run.signal)
  if (cycle >= run.invocation.maxCycles) return 'max_cycles'
  return tokenLimitReached(run.metrics.usage, run.invocation.maxTokens)
}

async function beforeModelCall(
  run: LoopRun,
  model: Model,
  call: { cycle: number; attempt: number; request: ModelRequest },
) {
  const { cycle, attempt, request } = call
  const { hooks, agent, registry } = run.invocation
  // Tool providers may change their tools between model calls (e.g. an MCP server's list_changed).
  if (cycle > 1 && attempt === 1 && registry.hasProviders && run.registry === registry) {
    if (await registry.load(run.signal)) request.toolSpecs = registry.size > 0 ? registry.specs() : undefined
  }
  if (hooks.has(BeforeModelCallEvent)) {
    await hooks.invoke(new BeforeModelCallEvent(agent, { cycle, attempt, request, model }))
  }
  run.metrics.startModelCall()
}

function recordModelCall(
  run: LoopRun,
  cycle: number,
  aggregator: MessageAggregator,
  startedAt: number,
  firstChunkAt: number | undefined,
): Metrics {
  const latencyMs = aggregator.metrics?.latencyMs ?? performance.now() - startedAt
  const timeToFirstByteMs =
    aggregator.metrics?.timeToFirstByteMs ??
    (firstChunkAt === undefined ? undefined : firstChunkAt - startedAt)
  run.metrics.endModelCall(cycle, aggregator.usage, latencyMs, timeToFirstByteMs)
  return timeToFirstByteMs === undefined ? { latencyMs } : { latencyMs, timeToFirstByteMs }
}

/**
 * Decides what follows a model call: `accept` the turn, `retry` at once (a hook asked, or the context was
 * reduced after an overflow), or a number: retry after that many ms (throttling). Throws when it must end.
 */
async function afterModelCall(
  run: LoopRun,
  call: {
    cycle: number
    attempt: number
    turn: ModelTurn | undefined
    callError: { error: unknown } | undefined
    model: Model
    callMetrics: Metrics | undefined
  },
): Promise<'accept' | 'retry' | number> {
  const { hooks, agent } = run.invocation
  const { cycle, attempt, turn, callError } = call
  if (hooks.has(AfterModelCallEvent)) {
    const after = await hooks.invoke(
      new AfterModelCallEvent(agent, {
        cycle,
        attempt,
        model: call.model,
        ...(turn === undefined
          ? { error: callError?.error }
          : {
              message: turn.message,
              stopReason: turn.stopReason,
              usage: run.aggregator?.usage,
              metrics: call.callMetrics,
            }),
      }),
    )
    if (after.retry) return 'retry'
  }
  if (callError === undefined) return 'accept'

  run.aggregator = undefined
  const error = callError.error
  if (ContextWindowOverflowError.isInstance(error)) {
    if (run.metrics.metrics.contextReductionCount >= maxContextReductions) {
      throw cannotReduce(`still too large after ${maxContextReductions} reductions`, error)
    }
    await run.invocation.conversationManager.reduceContext(run.invocation.messages, error, {
      agent,
      model: call.model,
      signal: run.signal,
    })
    run.metrics.recordContextReduction()
    return 'retry'
  }
  const delayMs = run.invocation.retryStrategy?.delayMs(error, attempt)
  if (delayMs === undefined) throw error
  run.metrics.recordThrottle()
  return delayMs
}

/** After a complete model turn: adds it, runs its tools, handles structured output. Returns the result when done. */
async function* afterModelTurn(
  run: LoopRun,
  turn: ModelTurn,
): AsyncGenerator<AgentEvent, AgentResult | undefined> {
  const { output } = run
  const { message, stopReason } = turn
  const invalidToolInputs = run.aggregator!.invalidToolInputs
  run.aggregator = undefined
  yield* addMessage(run, message)

  if (stopReason !== 'tool_use') {
    if (stopReason === 'max_tokens' && message.content.some((block) => 'toolUse' in block)) {
      throw new MaxTokensReachedError(
        'The model reached its output token limit in the middle of a tool call, so the call was not run. Raise the max tokens setting or ask for a shorter answer.',
      )
    }
    if (output === undefined) return yield* finish(run, stopReason, message)
    if (stopReason !== 'end_turn') {
      throw new StructuredOutputError(
        `The model stopped (${stopReason}) before producing structured output. Try again or change the prompt.`,
      )
    }
    // The model answered without the output tool: force it (once more after a refusal).
    if (output.forced) output.recordFailure('it answered without calling the output tool')
    output.forced = true
    yield* addMessage(run, { role: 'user', content: [{ text: output.instruction }] })
    return undefined
  }

  return yield* runToolTurn(run, message, {
    interrupts: [],
    toolResults: [],
    responses: {},
    ...(invalidToolInputs.size > 0 && { invalidToolInputs: Object.fromEntries(invalidToolInputs) }),
  })
}

/**
 * The tool turn: every tool use gets a result, in the order the model asked; or, when a hook or a tool
 * asks a person, the run ends with stop reason `interrupt` and the turn waits in `turnState` (the tools
 * that finished keep their results; on resume only the others run again).
 */
async function* runToolTurn(
  run: LoopRun,
  message: Message,
  turnState: InterruptState,
): AsyncGenerator<AgentEvent, AgentResult | undefined> {
  const { invocation, output } = run
  run.toolTurnStarted = true
  for (const result of turnState.toolResults) run.toolResults.set(result.toolUseId, result)
  const toolUses: ToolUse[] = []
  for (const block of message.content) if ('toolUse' in block) toolUses.push(block.toolUse)
  const interrupts: Interrupt[] = []
  const tools = executeTools(
    toolUses.filter((toolUse) => !run.toolResults.has(toolUse.toolUseId)),
    {
      registry: run.registry,
      agent: invocation.agent,
      signal: run.signal,
      concurrency: invocation.toolConcurrency,
      defaultTimeoutMs: invocation.toolTimeoutMs,
      invalidToolInputs: new Map(Object.entries(turnState.invalidToolInputs ?? {})),
      results: run.toolResults,
      hooks: invocation.hooks,
      interruptResponses: turnState.responses,
      interrupts,
      onToolFinished: (toolUse, result, durationMs) =>
        run.metrics.recordTool(toolUse.name, result, durationMs),
    },
  )
  let step = await tools.next()
  while (!step.done) {
    yield* emit(run, step.value)
    step = await tools.next()
  }
  if (run.signal.aborted) throw abortReason(run.signal)
  if (interrupts.length > 0) {
    invocation.interruptState.set({ ...turnState, interrupts, toolResults: [...run.toolResults.values()] })
    run.toolResults.clear()
    return yield* finish(run, 'interrupt', message, undefined, interrupts)
  }
  invocation.interruptState.set(undefined)
  const resultsMessage: Message = {
    role: 'user',
    content: toolUses.map((toolUse) => ({ toolResult: run.toolResults.get(toolUse.toolUseId)! })),
  }
  run.toolResults.clear()
  yield* addMessage(run, resultsMessage)

  if (output?.captured) {
    yield* emit(run, { type: 'structured_output', structured_output: output.value as JsonValue })
    return yield* finish(run, 'end_turn', message, output.value)
  }
  if (output?.calledIn(toolUses)) {
    // Its input did not match the schema: the error result tells the model what to fix.
    output.recordFailure('its input did not match the schema')
    output.forced = true
  }
  return undefined
}

async function* onError(run: LoopRun, error: unknown): AsyncGenerator<AgentEvent, AgentResult> {
  const { invocation, signal } = run
  await keepWhatIsValid(run, true)
  if (invocation.wasCancelled()) {
    return yield* finish(run, 'cancelled', lastAssistantMessage(invocation.messages))
  }
  const thrown = AbortError.isInstance(error) || signal.aborted ? toAbortError(signal, error) : error
  run.failure = { error: thrown }
  yield* emit(run, {
    type: 'force_stop',
    force_stop: true,
    force_stop_reason: describeThrownValue(thrown, true),
  })
  throw thrown
}

/** However the run ended: stop what still runs, keep the conversation valid, manage it, run AfterInvocation. */
async function onEnd(run: LoopRun): Promise<void> {
  const { invocation, signal } = run
  try {
    if (!run.completed) {
      // An early `break` (or a throw) lands here: stop the model request and the tools, keep the conversation valid.
      invocation.controller.abort(new AbortError('The consumer stopped reading the stream.'))
      await keepWhatIsValid(run, run.failure !== undefined)
    }
    await invocation.conversationManager.applyManagement(invocation.messages, { agent: invocation.agent })
    const after = new AfterInvocationEvent(invocation.agent, {
      ...(run.result !== undefined && { result: run.result }),
      ...(!run.completed && { error: run.failure?.error ?? toAbortError(signal, signal.reason) }),
    })
    try {
      await invocation.hooks.invoke(after)
    } catch (hookError) {
      // The run's own error matters more than a hook's; a successful run reports the hook's.
      if (run.failure === undefined) throw hookError
    }
  } finally {
    invocation.onEnd()
  }
}

/**
 * A run stopped before the model said anything leaves the conversation as it was before the run, so
 * that the next prompt is not merged with one the model never answered. True when it undid the prompt.
 */
function undoUnansweredPrompt(run: LoopRun): boolean {
  const { messages } = run.invocation
  const before = run.beforePrompt
  if (before === undefined || messages.length !== before.afterPrompt) return false
  messages.length = before.length
  const trailing = messages.at(-1)
  if (before.trailingContent > 0 && trailing !== undefined) trailing.content.length = before.trailingContent
  return true
}

/**
 * A new prompt (not a resume) while a turn waits for interrupt responses: the waiting tool uses are
 * answered (finished tools with their results, the interrupted ones with an error) so that the
 * conversation is valid for any provider, and the interrupts are dropped.
 */
async function dropInterruptedTurn(run: LoopRun, state: InterruptState): Promise<void> {
  const { messages } = run.invocation
  const before = messages.length
  const results = new Map(state.toolResults.map((result) => [result.toolUseId, result]))
  answerOpenToolUses(messages, results, 'was not run: it waited for a person, and a new prompt came instead.')
  run.invocation.interruptState.set(undefined)
  for (const message of messages.slice(before)) await added(run, message)
}

async function addPrompt(run: LoopRun, prompt: ContentBlock[] | Message[]): Promise<void> {
  const { messages } = run.invocation
  if (prompt.length > 0 && 'role' in prompt[0]!) {
    for (const message of prompt as Message[]) {
      if (message.role === 'user') await added(run, appendUserContent(messages, [...message.content]))
      else {
        messages.push(message)
        await added(run, message)
      }
    }
    return
  }
  await added(run, appendUserContent(messages, [...(prompt as ContentBlock[])]))
}

async function added(run: LoopRun, message: Message): Promise<void> {
  const { hooks, agent } = run.invocation
  if (hooks.has(MessageAddedEvent)) await hooks.invoke(new MessageAddedEvent(agent, message))
}

async function* addMessage(run: LoopRun, message: Message): AsyncGenerator<AgentEvent, void> {
  run.invocation.messages.push(message)
  await added(run, message)
  yield* emit(run, { type: 'message', message })
}

/** After an interruption: keeps finished text and answers open tool uses. `quiet`: hook errors are ignored. */
async function keepWhatIsValid(run: LoopRun, quiet: boolean): Promise<void> {
  const { messages } = run.invocation
  const partial = run.aggregator?.partialMessage()
  run.aggregator = undefined
  if (partial === undefined && undoUnansweredPrompt(run)) return
  // A resume that failed before its tool turn leaves the interrupted turn waiting, unanswered.
  if (partial === undefined && !run.toolTurnStarted && run.invocation.interruptState.get() !== undefined)
    return
  const before = messages.length
  if (partial !== undefined) messages.push(partial)
  answerOpenToolUses(messages, run.toolResults, 'was cancelled because the run stopped before it finished.')
  run.invocation.interruptState.set(undefined)
  for (const message of messages.slice(before)) {
    try {
      await added(run, message)
    } catch (error) {
      if (!quiet) throw error
    }
  }
}

async function* emit(run: LoopRun, event: AgentEvent): AsyncGenerator<AgentEvent, void> {
  run.invocation.callbackHandler?.(event)
  yield event
}

async function* stopEarly(run: LoopRun, stopReason: StopReason): AsyncGenerator<AgentEvent, AgentResult> {
  if (run.invocation.structuredOutput !== undefined) {
    throw new StructuredOutputError(
      `The run stopped (${stopReason}) before the model produced structured output. Raise the limit or simplify the task.`,
    )
  }
  return yield* finish(run, stopReason, lastAssistantMessage(run.invocation.messages))
}

async function* finish(
  run: LoopRun,
  stopReason: StopReason,
  message: Message,
  structuredOutput?: JsonValue,
  interrupts?: Interrupt[],
): AsyncGenerator<AgentEvent, AgentResult> {
  run.completed = true
  const result = createAgentResult({
    stopReason,
    message,
    metrics: run.metrics.finish(),
    state: run.invocation.state(),
    ...(structuredOutput !== undefined && { structuredOutput }),
    ...(interrupts !== undefined && { interrupts }),
  })
  run.result = result
  yield* emit(run, { type: 'result', result })
  return result
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
