// The scenarios. Each variant is `prepare({ baseURL }) → { run(tag), close?() }`; `run` does the work, checks
// what it received and says how many requests the server must have seen for `tag`.
import {
  expectedTextLength,
  textModelId,
  toolScenarioAnswerDeltas,
  toolsModelId,
} from '../lib/wire-script.mjs'
import { coreLoopScenario } from './core-loop.mjs'
import { createClient, floorAnswer, floorResponsesAnswer, floorToolLoop } from './floor.mjs'
import { serverSseScenario } from './server-sse.mjs'

const prompt = 'Tell me a long story about a quick brown fox.'

function check(condition, message) {
  if (!condition) throw new Error(`self-check failed: ${message}`)
}

function checkAnswer(name, answer, deltas) {
  check(answer.deltas === deltas, `${name}: ${answer.deltas} text deltas received, ${deltas} sent`)
  check(
    answer.text.length === expectedTextLength(deltas),
    `${name}: answer text has ${answer.text.length} characters, expected ${expectedTextLength(deltas)}`,
  )
}

async function loadAgent() {
  return import('./agent.mjs')
}

function textScenario(deltas, options) {
  return {
    ...options,
    tokensPerRun: deltas,
    // `--diagnose`: where the difference comes from (see the bench README).
    diagnosticVariants: {
      async 'floor-with-signal'({ baseURL }) {
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const controller = new AbortController()
            const answer = await floorAnswer(client, textModelId(deltas, tag), prompt, controller.signal)
            checkAnswer('floor-with-signal', answer, deltas)
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
      async 'floor-with-fetch-options-signal'({ baseURL }) {
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const controller = new AbortController()
            const model = textModelId(deltas, tag)
            const answer = await floorAnswer(client, model, prompt, controller.signal, 'fetchOptions')
            checkAnswer('floor-with-fetch-options-signal', answer, deltas)
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
      async 'openai-model-only'({ baseURL }) {
        const { modelOnlyRun } = await loadAgent()
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const answer = await modelOnlyRun(client, textModelId(deltas, tag), prompt)
            checkAnswer('openai-model-only', answer, deltas)
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
      async 'agent-without-signal'({ baseURL }) {
        const { createAgent, agentRun } = await loadAgent()
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const agent = createAgent(client, textModelId(deltas, tag), [], { withoutSignal: true })
            const answer = await agentRun(agent, prompt)
            checkAnswer('agent-without-signal', answer, deltas)
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
    },
    variants: {
      async floor({ baseURL }) {
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const answer = await floorAnswer(client, textModelId(deltas, tag), prompt)
            checkAnswer('floor', answer, deltas)
            check(answer.finishReason === 'stop', `floor: finish reason ${answer.finishReason}`)
            check(answer.outputTokens === deltas, 'floor: usage missing or wrong')
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
      async agent({ baseURL }) {
        const { createAgent, agentRun } = await loadAgent()
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const agent = createAgent(client, textModelId(deltas, tag), [])
            const answer = await agentRun(agent, prompt)
            checkAnswer('agent', answer, deltas)
            check(answer.result.stopReason === 'end_turn', `agent: stop reason ${answer.result.stopReason}`)
            check(agent.messages.length === 2, `agent: ${agent.messages.length} messages, expected 2`)
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
    },
  }
}

/** One answer on the Responses API: the floor reads the `openai` client's events by hand. */
function responsesTextScenario(deltas, options) {
  return {
    ...options,
    tokensPerRun: deltas,
    variants: {
      async floor({ baseURL }) {
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const answer = await floorResponsesAnswer(client, textModelId(deltas, tag), prompt)
            checkAnswer('floor', answer, deltas)
            check(answer.finishReason === 'completed', `floor: status ${answer.finishReason}`)
            check(answer.outputTokens === deltas, 'floor: usage missing or wrong')
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
      async agent({ baseURL }) {
        const { createResponsesAgent, agentRun } = await loadAgent()
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const agent = createResponsesAgent(client, textModelId(deltas, tag))
            const answer = await agentRun(agent, prompt)
            checkAnswer('agent', answer, deltas)
            check(answer.result.stopReason === 'end_turn', `agent: stop reason ${answer.result.stopReason}`)
            return { deltas: answer.deltas, requests: 1 }
          },
        }
      },
    },
  }
}

function toolsScenario(rounds, options) {
  const checkTools = (name, outcome) => {
    check(outcome.toolCalls === rounds, `${name}: ${outcome.toolCalls} tool calls, expected ${rounds}`)
    checkAnswer(name, outcome, toolScenarioAnswerDeltas)
  }
  return {
    ...options,
    tokensPerRun: toolScenarioAnswerDeltas,
    toolCallsPerRun: rounds,
    variants: {
      async floor({ baseURL }) {
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const outcome = await floorToolLoop(client, toolsModelId(rounds, tag), prompt)
            checkTools('floor', outcome)
            check(outcome.requests === rounds + 1, 'floor: wrong number of requests')
            return { deltas: outcome.deltas, toolCalls: outcome.toolCalls, requests: rounds + 1 }
          },
        }
      },
      async agent({ baseURL }) {
        const { createAgent, agentRun, addTool } = await loadAgent()
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const agent = createAgent(client, toolsModelId(rounds, tag), [addTool])
            const outcome = await agentRun(agent, prompt)
            checkTools('agent', outcome)
            check(outcome.result.stopReason === 'end_turn', `agent: stop reason ${outcome.result.stopReason}`)
            check(agent.messages.length === 2 + 2 * rounds, `agent: ${agent.messages.length} messages`)
            return { deltas: outcome.deltas, toolCalls: outcome.toolCalls, requests: rounds + 1 }
          },
        }
      },
    },
    // `--diagnose`: the cost of `telemetry()` when no tracer provider is registered (goal: within noise).
    diagnosticVariants: {
      async 'agent-with-telemetry-no-op'({ baseURL }) {
        const { createAgent, agentRun, addTool } = await loadAgent()
        const { telemetry } = await import('@agent/telemetry')
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const agent = createAgent(client, toolsModelId(rounds, tag), [addTool], { hooks: [telemetry()] })
            const outcome = await agentRun(agent, prompt)
            checkTools('agent-with-telemetry-no-op', outcome)
            return { deltas: outcome.deltas, toolCalls: outcome.toolCalls, requests: rounds + 1 }
          },
        }
      },
    },
  }
}

/**
 * Cost that grows with the conversation: the same tool round trips on an empty history (the floor here)
 * and after `historyMessages` earlier messages. Each cycle sends the whole history, so only a provider that
 * converts each message once keeps the cost per round trip flat.
 */
function historyScenario(rounds, historyMessages, options) {
  const checkTools = (name, outcome) => {
    check(outcome.toolCalls === rounds, `${name}: ${outcome.toolCalls} tool calls, expected ${rounds}`)
    checkAnswer(name, outcome, toolScenarioAnswerDeltas)
  }
  const history = () =>
    Array.from({ length: historyMessages }, (_, index) =>
      index % 2 === 0
        ? { role: 'user', content: [{ text: `Earlier question ${index}: what is ${index} plus two?` }] }
        : {
            role: 'assistant',
            content: [{ text: `Earlier answer ${index}: it is ${index + 1}, as asked.` }],
          },
    )
  const variant =
    (name, messages) =>
    async ({ baseURL }) => {
      const { createAgent, agentRun, addTool } = await loadAgent()
      const client = createClient(baseURL)
      return {
        async run(tag) {
          const agent = createAgent(client, toolsModelId(rounds, tag), [addTool], {
            messages: messages(),
            maxCycles: rounds + 1,
          })
          const outcome = await agentRun(agent, prompt)
          checkTools(name, outcome)
          const expected = messages().length + 2 + 2 * rounds
          check(
            agent.messages.length === expected,
            `${name}: ${agent.messages.length} messages, expected ${expected}`,
          )
          return { deltas: outcome.deltas, toolCalls: outcome.toolCalls, requests: rounds + 1 }
        },
      }
    }
  return {
    ...options,
    floorLabel: 'agent, empty history',
    tokensPerRun: toolScenarioAnswerDeltas,
    toolCallsPerRun: rounds,
    variants: { floor: variant('empty history', () => []), agent: variant('long history', history) },
  }
}

function concurrentScenario(answers, deltas, options) {
  const checkAll = (name, outcomes) => {
    check(outcomes.length === answers, `${name}: ${outcomes.length} answers`)
    for (const outcome of outcomes) checkAnswer(name, outcome, deltas)
    return { deltas: outcomes.reduce((sum, outcome) => sum + outcome.deltas, 0), requests: answers }
  }
  return {
    ...options,
    tokensPerRun: answers * deltas,
    variants: {
      async floor({ baseURL }) {
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const model = textModelId(deltas, tag)
            const outcomes = await Promise.all(
              Array.from({ length: answers }, () => floorAnswer(client, model, prompt)),
            )
            return checkAll('floor', outcomes)
          },
        }
      },
      async agent({ baseURL }) {
        const { createAgent, agentRun } = await loadAgent()
        const client = createClient(baseURL)
        return {
          async run(tag) {
            const model = textModelId(deltas, tag)
            const outcomes = await Promise.all(
              Array.from({ length: answers }, () => agentRun(createAgent(client, model, []), prompt)),
            )
            return checkAll('agent', outcomes)
          },
        }
      },
    },
  }
}

export const scenarios = {
  'text-20000': textScenario(20_000, {
    title: 'one answer of 20,000 deltas',
    warmups: 3,
    runs: 12,
    children: 6,
  }),
  'responses-text-20000': responsesTextScenario(20_000, {
    title: 'one Responses API answer of 20,000 deltas',
    warmups: 3,
    runs: 12,
    children: 6,
  }),
  'tools-25': toolsScenario(25, {
    title: '25 tool round trips, then a 20-delta answer',
    warmups: 3,
    runs: 12,
    children: 6,
  }),
  'history-500-tools-200': historyScenario(200, 500, {
    title: '200 tool round trips after a 500-message history; floor = the same agent on an empty history',
    warmups: 1,
    runs: 4,
    children: 2,
  }),
  'concurrent-100': concurrentScenario(100, 500, {
    title: '100 simultaneous answers of 500 deltas',
    warmups: 2,
    runs: 8,
    children: 4,
  }),
  'server-sse-200': serverSseScenario(200, 200, {
    title: '200 concurrent SSE clients, each streaming a 200-delta answer through the HTTP server',
    warmups: 2,
    runs: 6,
  }),
  'core-loop-200000': coreLoopScenario(200_000, {
    title: 'no network: an in-memory model streams 200,000 deltas; floor = reading the model stream directly',
    warmups: 2,
    runs: 8,
    children: 4,
  }),
  'long-1m': textScenario(1_000_000, {
    title: 'one answer of 1,000,000 deltas',
    warmups: 0,
    runs: 3,
    children: 1,
  }),
}
