import {
  AfterInvocationEvent,
  AfterModelCallEvent,
  AfterToolCallEvent,
  type AgentContext,
  BeforeInvocationEvent,
  BeforeModelCallEvent,
  BeforeToolCallEvent,
  type HookProvider,
  type HookRegistry,
  type Usage,
} from '@agent/core'
import { addUsage, emptyUsage } from '@agent/core/provider'
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { type ClientMetrics, createClientMetrics, type MeterProviderOption } from './client-metrics.js'
import {
  contentAttribute,
  inputMessages,
  outputMessages,
  systemInstructions,
  toolResultContent,
} from './content-capture.js'
import { errorMessage, errorType } from './error-type.js'
import { attribute, operation } from './semantic-conventions.js'
import { toolInSpanContext } from './span-context-tool.js'
import { isTracingEnabled } from './tracing-enabled.js'

export interface TelemetryOptions {
  /**
   * Record message text, system prompts, tool arguments and tool results on spans. Off by default: they may
   * hold personal data. Each value is JSON text, cut at 64 KiB; binary data shows as its size.
   */
  captureContent?: boolean
  /** Default: the global tracer provider (`trace.setGlobalTracerProvider`, or what the OpenTelemetry SDK registered). */
  tracerProvider?: TracerProvider
  /** Default: the global meter provider. */
  meterProvider?: MeterProviderOption
}

/** The spans of one invocation, kept from the hook that opens each to the hook that ends it. */
interface InvocationSpans {
  readonly agentSpan: Span
  readonly agentContext: Context
  readonly startedAt: number
  chat: { span: Span; startedAt: number; attributes: Attributes } | undefined
  readonly tools: Map<string, { span: Span; startedAt: number; attributes: Attributes }>
  readonly usage: Usage
  readonly finishReasons: string[]
}

const instrumentationName = '@agent/telemetry'

/**
 * Traces and measures agents on the OpenTelemetry GenAI conventions: `new Agent({ hooks: [telemetry()] })`.
 * Spans: `invoke_agent {name}` (INTERNAL) → `chat {model}` (CLIENT) per model call and `execute_tool {tool}`
 * (INTERNAL) per tool call; a tool's own work (HTTP, MCP, a sub-agent) nests under its span. Without a
 * registered tracer provider nothing is created.
 */
export function telemetry(options: TelemetryOptions = {}): HookProvider {
  return new AgentTelemetry(options)
}

class AgentTelemetry implements HookProvider {
  private readonly captureContent: boolean
  private readonly tracerProvider: TracerProvider | undefined
  private tracerCache: Tracer | undefined
  private readonly metrics: ClientMetrics
  /** Keyed by the agent's context: an agent runs one invocation at a time. */
  private readonly invocations = new WeakMap<AgentContext, InvocationSpans>()

  constructor(options: TelemetryOptions) {
    this.captureContent = options.captureContent ?? false
    this.tracerProvider = options.tracerProvider
    this.metrics = createClientMetrics(instrumentationName, options.meterProvider)
  }

  registerHooks(registry: HookRegistry): void {
    registry.add(BeforeInvocationEvent, (event) => this.startInvocation(event.agent))
    registry.add(BeforeModelCallEvent, (event) => this.startChat(event))
    registry.add(AfterModelCallEvent, (event) => this.endChat(event))
    registry.add(BeforeToolCallEvent, (event) => this.startTool(event))
    registry.add(AfterToolCallEvent, (event) => this.endTool(event))
    registry.add(AfterInvocationEvent, (event) => this.endInvocation(event))
  }

  private tracer(): Tracer | undefined {
    const provider = this.tracerProvider ?? trace.getTracerProvider()
    if (this.tracerProvider === undefined && !isTracingEnabled(provider, instrumentationName))
      return undefined
    this.tracerCache ??= provider.getTracer(instrumentationName)
    return this.tracerCache
  }

  private startInvocation(agent: AgentContext): void {
    const tracer = this.tracer()
    if (tracer === undefined) return
    const attributes: Attributes = {
      [attribute.operationName]: operation.invokeAgent,
      [attribute.agentName]: agent.name,
    }
    if (agent.description !== undefined) attributes[attribute.agentDescription] = agent.description
    if (agent.sessionId !== undefined) attributes[attribute.conversationId] = agent.sessionId
    // The caller's active context is the parent: a server request span, or a parent agent's tool span.
    const parent = context.active()
    const agentSpan = tracer.startSpan(
      `${operation.invokeAgent} ${agent.name}`,
      { kind: SpanKind.INTERNAL, attributes },
      parent,
    )
    this.invocations.set(agent, {
      agentSpan,
      agentContext: trace.setSpan(parent, agentSpan),
      startedAt: performance.now(),
      chat: undefined,
      tools: new Map(),
      usage: emptyUsage(),
      finishReasons: [],
    })
  }

  private startChat(event: BeforeModelCallEvent): void {
    const spans = this.invocations.get(event.agent)
    if (spans === undefined) return
    const { provider, modelId } = event.model
    const attributes: Attributes = {
      [attribute.operationName]: operation.chat,
      [attribute.providerName]: provider,
      [attribute.requestModel]: modelId,
    }
    if (event.attempt === 1 && spans.chat === undefined) {
      spans.agentSpan.setAttributes({ [attribute.providerName]: provider, [attribute.requestModel]: modelId })
    }
    const span = this.tracerCache!.startSpan(
      `${operation.chat} ${modelId}`,
      { kind: SpanKind.CLIENT, attributes },
      spans.agentContext,
    )
    if (this.captureContent) {
      span.setAttribute(attribute.inputMessages, inputMessages(event.request))
      const instructions = systemInstructions(event.request)
      if (instructions !== undefined) span.setAttribute(attribute.systemInstructions, instructions)
    }
    spans.chat = { span, startedAt: performance.now(), attributes }
  }

  private endChat(event: AfterModelCallEvent): void {
    const spans = this.invocations.get(event.agent)
    const chat = spans?.chat
    if (spans === undefined || chat === undefined) return
    spans.chat = undefined
    const { span, attributes } = chat
    const seconds = (performance.now() - chat.startedAt) / 1000
    if (event.message === undefined) {
      const type = errorType(event.error)
      failSpan(span, event.error)
      this.metrics.operationDuration.record(seconds, { ...attributes, [attribute.errorType]: type })
      span.end()
      return
    }
    const metricAttributes = { ...attributes, [attribute.responseModel]: event.model.modelId }
    span.setAttribute(attribute.responseModel, event.model.modelId)
    if (event.stopReason !== undefined) {
      span.setAttribute(attribute.finishReasons, [event.stopReason])
      spans.finishReasons.push(event.stopReason)
    }
    if (event.usage !== undefined) {
      span.setAttributes(usageAttributes(event.usage))
      addUsage(spans.usage, event.usage)
      this.metrics.tokenUsage.record(event.usage.inputTokens, {
        ...metricAttributes,
        [attribute.tokenType]: 'input',
      })
      this.metrics.tokenUsage.record(event.usage.outputTokens, {
        ...metricAttributes,
        [attribute.tokenType]: 'output',
      })
    }
    const firstChunkMs = event.metrics?.timeToFirstByteMs
    if (firstChunkMs !== undefined)
      this.metrics.timeToFirstChunk.record(firstChunkMs / 1000, metricAttributes)
    if (this.captureContent)
      span.setAttribute(attribute.outputMessages, outputMessages(event.message, event.stopReason))
    this.metrics.operationDuration.record(seconds, metricAttributes)
    span.end()
  }

  private startTool(event: BeforeToolCallEvent): void {
    const spans = this.invocations.get(event.agent)
    if (spans === undefined) return
    const { toolUseId, name } = event.toolUse
    const attributes: Attributes = {
      [attribute.operationName]: operation.executeTool,
      [attribute.toolName]: name,
      [attribute.toolType]: 'function',
    }
    const span = this.tracerCache!.startSpan(
      `${operation.executeTool} ${name}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { ...attributes, [attribute.toolCallId]: toolUseId },
      },
      spans.agentContext,
    )
    if (event.tool !== undefined) {
      span.setAttribute(attribute.toolDescription, event.tool.description)
      event.tool = toolInSpanContext(event.tool, trace.setSpan(spans.agentContext, span))
    }
    if (this.captureContent)
      span.setAttribute(attribute.toolCallArguments, contentAttribute(event.toolUse.input))
    spans.tools.set(toolUseId, { span, startedAt: performance.now(), attributes })
  }

  private endTool(event: AfterToolCallEvent): void {
    const spans = this.invocations.get(event.agent)
    const entry = spans?.tools.get(event.toolUse.toolUseId)
    if (spans === undefined || entry === undefined) return
    spans.tools.delete(event.toolUse.toolUseId)
    const { span, attributes } = entry
    const metricAttributes: Attributes = { ...attributes }
    if (event.result.status === 'error') {
      const type = event.cancelled ? 'cancelled' : event.tool === undefined ? 'unknown_tool' : 'tool_error'
      span.setAttribute(attribute.errorType, type)
      span.setStatus({ code: SpanStatusCode.ERROR, message: firstText(event.result.content) })
      metricAttributes[attribute.errorType] = type
    }
    if (this.captureContent) span.setAttribute(attribute.toolCallResult, toolResultContent(event.result))
    this.metrics.operationDuration.record((performance.now() - entry.startedAt) / 1000, metricAttributes)
    span.end()
  }

  private endInvocation(event: AfterInvocationEvent): void {
    const spans = this.invocations.get(event.agent)
    if (spans === undefined) return
    this.invocations.delete(event.agent)
    // Calls the run left open (an abort while the model streamed, a tool abandoned at a deadline).
    const leftOpen = event.error ?? new Error('the run ended first')
    if (spans.chat !== undefined) endFailed(spans.chat.span, leftOpen)
    for (const entry of spans.tools.values()) endFailed(entry.span, leftOpen)
    const { agentSpan } = spans
    agentSpan.setAttributes(usageAttributes(spans.usage))
    if (event.result !== undefined) {
      agentSpan.setAttribute(attribute.finishReasons, [event.result.stopReason])
    } else if (event.error !== undefined) {
      failSpan(agentSpan, event.error)
    }
    agentSpan.end()
  }
}

function usageAttributes(usage: Usage): Attributes {
  const attributes: Attributes = {
    [attribute.inputTokens]: usage.inputTokens,
    [attribute.outputTokens]: usage.outputTokens,
  }
  if (usage.cacheReadInputTokens !== undefined)
    attributes[attribute.cacheReadInputTokens] = usage.cacheReadInputTokens
  if (usage.cacheWriteInputTokens !== undefined) {
    attributes[attribute.cacheCreationInputTokens] = usage.cacheWriteInputTokens
  }
  return attributes
}

function failSpan(span: Span, error: unknown): void {
  span.setAttribute(attribute.errorType, errorType(error))
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) })
}

function endFailed(span: Span, error: unknown): void {
  failSpan(span, error)
  span.end()
}

function firstText(content: readonly unknown[]): string | undefined {
  const first = content[0] as { text?: unknown } | undefined
  return typeof first?.text === 'string' ? first.text.slice(0, 500) : undefined
}
