import {
  type Agent,
  type AgentToolResultEvent,
  ConcurrencyError,
  type Interrupt,
  InterruptError,
  type InterruptResponseContent,
  type JsonObject,
} from '@agent/core'
import { executeNode } from './execute-node.js'
import { createHandoffTool, type HandoffRequest } from './handoff-tool.js'
import { drain, type MultiAgent, type MultiAgentPrompt, type MultiAgentStreamOptions } from './multi-agent.js'
import type { MultiAgentEvent, NodeEvent } from './multi-agent-events.js'
import type { MultiAgentStatus } from './multi-agent-result.js'
import { summarizeNodes, withToString } from './multi-agent-result.js'
import { MultiAgentNode } from './node.js'
import type { ErrorInfo, NodeResult } from './node-result.js'
import { positiveOption } from './positive-option.js'
import { isResumePrompt } from './resume-prompt.js'
import { RunLimits } from './run-limits.js'
import { swarmPrompt } from './swarm-prompt.js'
import type { SwarmHandoff, SwarmResult } from './swarm-result.js'

/** A nested Swarm or Graph as a member: it can be handed to, and its result ends the swarm (it cannot hand off). */
export interface SwarmMember {
  name: string
  description?: string
  executor: MultiAgent
}

export interface RepetitiveHandoffDetection {
  /** How many of the latest agents to look at. */
  window: number
  /** Fewer distinct agents than this in the window ends the run with `repetitive_handoff`. */
  minUniqueAgents: number
}

export interface SwarmOptions {
  /** The team. Agents get a `handoff_to_agent` tool; names must be unique. */
  agents: readonly (Agent | SwarmMember)[]
  /** The agent that starts. Default: the first. */
  entryPoint?: string
  /** Handoffs per run at most; one more ends the run with `max_handoffs`. Default 20. */
  maxHandoffs?: number
  /** Agent executions per run at most; then the run ends with `max_iterations`. Default 20. */
  maxIterations?: number
  /** The run's deadline. Default 900 000 ms (15 minutes). */
  executionTimeoutMs?: number
  /** Each agent execution's deadline. Default 300 000 ms (5 minutes). */
  nodeTimeoutMs?: number
  /** Ends ping-pong between a few agents early. Default off. */
  repetitiveHandoffDetection?: RepetitiveHandoffDetection
}

interface Member {
  node: MultiAgentNode
  description: string | undefined
  canHandOff: boolean
}

/**
 * Agents that hand a task to one another: one works at a time, and it either answers (the swarm ends with
 * its answer) or calls `handoff_to_agent` (target, message, context), which ends its turn and starts the target
 * with the task, the message and what everyone shared so far. Limits end a run with their status.
 */
export class Swarm implements MultiAgent<SwarmResult> {
  readonly kind = 'swarm'
  private readonly members = new Map<string, Member>()
  private readonly entryPoint: string
  private readonly settings: Required<
    Omit<SwarmOptions, 'agents' | 'entryPoint' | 'repetitiveHandoffDetection'>
  >
  private readonly detection: RepetitiveHandoffDetection | undefined
  private run: SwarmRun | undefined
  /** A run stopped by an interrupt in one of its agents, waiting for `interruptResponse` blocks. */
  private paused: { run: SwarmRun; current: string; handoff: SwarmHandoff | undefined } | undefined

  constructor(options: SwarmOptions) {
    if (options.agents.length === 0) throw new TypeError('A swarm needs at least one agent.')
    for (const entry of options.agents) {
      const isMember = 'executor' in entry
      const name = entry.name
      if (this.members.has(name))
        throw new TypeError(`Two swarm agents are named "${name}"; names must be unique.`)
      const node = new MultiAgentNode(name, isMember ? entry.executor : entry)
      this.members.set(name, { node, description: entry.description, canHandOff: node.type === 'agent' })
    }
    this.entryPoint = options.entryPoint ?? options.agents[0]!.name
    if (!this.members.has(this.entryPoint))
      throw new TypeError(`Entry point "${this.entryPoint}" is not a swarm agent.`)
    this.settings = {
      maxHandoffs: positiveOption(options.maxHandoffs, 20, 'maxHandoffs'),
      maxIterations: positiveOption(options.maxIterations, 20, 'maxIterations'),
      executionTimeoutMs: positiveOption(options.executionTimeoutMs, 900_000, 'executionTimeoutMs'),
      nodeTimeoutMs: positiveOption(options.nodeTimeoutMs, 300_000, 'nodeTimeoutMs'),
    }
    this.detection = options.repetitiveHandoffDetection
    if (this.members.size > 1) this.addHandoffTools()
  }

  get agentNames(): string[] {
    return [...this.members.keys()]
  }

  /**
   * Runs the swarm on a task, or, given `interruptResponse` blocks, resumes the run an agent's interrupt
   * paused: that agent continues where it stopped, and the swarm goes on from there.
   */
  async *stream(
    prompt: MultiAgentPrompt | InterruptResponseContent[],
    options: MultiAgentStreamOptions = {},
  ): AsyncGenerator<MultiAgentEvent<SwarmResult>, SwarmResult, undefined> {
    if (this.run !== undefined) {
      throw new ConcurrencyError(
        'This swarm is already running; wait for its run to end, or make another swarm.',
      )
    }
    const limits = new RunLimits(options.signal, this.settings.executionTimeoutMs)
    const resume = isResumePrompt(prompt) ? prompt : undefined
    const paused = this.paused
    if (resume !== undefined && paused === undefined) {
      limits.dispose()
      throw new InterruptError('Nothing to resume: this swarm has no run paused by an interrupt.')
    }
    this.paused = undefined
    const run =
      resume === undefined ? new SwarmRun(prompt as MultiAgentPrompt, limits) : paused!.run.resumed(limits)
    this.run = run
    try {
      return yield* this.execute(run, resume === undefined ? undefined : { ...paused!, responses: resume })
    } finally {
      run.limits.dispose()
      this.run = undefined
    }
  }

  invoke(
    prompt: MultiAgentPrompt | InterruptResponseContent[],
    options?: MultiAgentStreamOptions,
  ): Promise<SwarmResult> {
    return drain(this.stream(prompt, options))
  }

  private async *execute(
    run: SwarmRun,
    resume?: { current: string; handoff: SwarmHandoff | undefined; responses: InterruptResponseContent[] },
  ): AsyncGenerator<MultiAgentEvent<SwarmResult>, SwarmResult, undefined> {
    let current = resume?.current ?? this.entryPoint
    let handoff = resume?.handoff
    let responses = resume?.responses
    while (run.status === undefined) {
      if (run.history.length >= this.settings.maxIterations) {
        run.stop(
          'max_iterations',
          `The swarm reached its limit of ${this.settings.maxIterations} agent executions.`,
        )
        break
      }
      const result = yield* this.executeMember(run, current, handoff, responses)
      responses = undefined
      run.history.push(result)
      if (result.status === 'interrupted') {
        // The agent keeps its conversation and its pending interrupts; `stream(responses)` picks it up.
        run.pause(result)
        this.paused = { run, current, handoff }
        break
      }
      if (result.status !== 'completed') {
        run.stopForNode(result)
        break
      }
      const request = run.pending
      run.pending = undefined
      if (request === undefined) break
      handoff = {
        from: current,
        to: request.target,
        message: request.message,
        ...(request.context && { context: request.context }),
      }
      yield {
        type: 'multi_agent_handoff',
        multi_agent_handoff: true,
        from_node: current,
        to_node: request.target,
        message: request.message,
      }
      run.handoffs.push(handoff)
      if (request.context !== undefined) run.sharedContext[current] = request.context
      this.checkHandoffLimits(run, request.target)
      current = request.target
    }
    const result = run.result()
    yield { type: 'multi_agent_result', multi_agent_result: true, result }
    return result
  }

  private executeMember(
    run: SwarmRun,
    name: string,
    handoff: SwarmHandoff | undefined,
    resume: InterruptResponseContent[] | undefined,
  ) {
    const member = this.members.get(name)!
    const prompt = swarmPrompt({
      task: run.task,
      handoff,
      history: run.history.map((result) => result.nodeId),
      sharedContext: run.sharedContext,
      others: this.others(name),
      canHandOff: member.canHandOff,
    })
    return executeNode(member.node, prompt, {
      signal: run.limits.controller.signal,
      timeoutMs: this.settings.nodeTimeoutMs,
      functionInput: { task: run.task, results: {} },
      stopAfter: (event) => isHandoffResult(event, run.pending),
      ...(resume !== undefined && { resume }),
    })
  }

  private checkHandoffLimits(run: SwarmRun, target: string): void {
    if (run.handoffs.length > this.settings.maxHandoffs) {
      run.stop('max_handoffs', `The swarm reached its limit of ${this.settings.maxHandoffs} handoffs.`)
      return
    }
    const detection = this.detection
    if (detection === undefined) return
    const recent = [...run.history.map((result) => result.nodeId), target].slice(-detection.window)
    if (recent.length >= detection.window && new Set(recent).size < detection.minUniqueAgents) {
      run.stop(
        'repetitive_handoff',
        `The last ${detection.window} agents were only ${[...new Set(recent)].join(', ')}: the agents keep handing the task back and forth.`,
      )
    }
  }

  private others(name: string): { name: string; description: string | undefined }[] {
    const others: { name: string; description: string | undefined }[] = []
    for (const [other, member] of this.members)
      if (other !== name) others.push({ name: other, description: member.description })
    return others
  }

  private addHandoffTools(): void {
    const accept = (request: HandoffRequest): string => {
      const run = this.run
      if (run === undefined) throw new Error('handoff_to_agent works only while the swarm runs.')
      if (run.pending !== undefined) throw new Error(`You already handed off to ${run.pending.target}.`)
      run.pending = request
      return `Handed off to ${request.target}.`
    }
    for (const [name, member] of this.members) {
      if (!member.canHandOff) continue
      ;(member.node.executor as Agent).tools.add(createHandoffTool(this.others(name), accept))
    }
  }
}

/** The state of one Swarm run. */
class SwarmRun {
  readonly history: NodeResult[] = []
  readonly handoffs: SwarmHandoff[] = []
  readonly sharedContext: Record<string, JsonObject> = {}
  pending: HandoffRequest | undefined
  status: MultiAgentStatus | undefined
  error: ErrorInfo | undefined

  readonly task: MultiAgentPrompt
  limits: RunLimits
  interrupts: Interrupt[] | undefined

  constructor(task: MultiAgentPrompt, limits: RunLimits) {
    this.task = task
    this.limits = limits
  }

  /** Ends this part of the run at an agent's interrupt. */
  pause(result: NodeResult): void {
    this.status = 'interrupted'
    this.error = result.error
    this.interrupts = result.interrupts
  }

  /** The paused run, going on: the interrupted execution is replaced by the resumed one. */
  resumed(limits: RunLimits): this {
    this.history.pop()
    this.status = undefined
    this.error = undefined
    this.interrupts = undefined
    this.limits = limits
    return this
  }

  stop(status: MultiAgentStatus, message: string): void {
    this.status = status
    this.error = { name: 'SwarmLimitError', message }
  }

  stopForNode(result: NodeResult): void {
    const limitStatus = this.limits.status()
    if (limitStatus !== undefined) {
      this.status = limitStatus
      this.error = this.limits.error()
    } else {
      this.status =
        result.error?.name === 'NodeTimeoutError'
          ? 'timeout'
          : result.status === 'cancelled'
            ? 'cancelled'
            : 'failed'
      this.error = result.error
    }
  }

  result(): SwarmResult {
    const summary = summarizeNodes(this.history)
    return withToString({
      kind: 'swarm',
      status: this.status ?? 'completed',
      text: this.history.at(-1)?.text ?? '',
      ...summary,
      nodeHistory: summary.executionOrder,
      handoffs: this.handoffs,
      sharedContext: this.sharedContext,
      executionTimeMs: this.limits.elapsedMs(),
      ...(this.error !== undefined && { error: this.error }),
      ...(this.interrupts !== undefined && { interrupts: this.interrupts }),
    })
  }
}

function isHandoffResult(event: NodeEvent, pending: HandoffRequest | undefined): boolean {
  return (
    pending !== undefined &&
    event.type === 'tool_result' &&
    (event as AgentToolResultEvent).tool_result.toolUseId === pending.toolUseId
  )
}
