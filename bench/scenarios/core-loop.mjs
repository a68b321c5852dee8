// `core-loop-200000`: the loop alone, no network. An in-memory model streams 200,000 text deltas (fresh
// objects, like a provider); the floor reads the model's stream directly, the agent runs it through `Agent`.
// The difference is what @agent/core costs per token, without the noise of sockets and SSE parsing.
import { expectedTextLength, tokens } from '../lib/wire-script.mjs'

function memoryModel(deltas) {
  return {
    modelId: 'memory',
    async *stream() {
      yield { messageStart: { role: 'assistant' } }
      for (let index = 0; index < deltas; index++) {
        yield { contentBlockDelta: { delta: { text: tokens[index & 15] }, contentBlockIndex: 0 } }
      }
      yield { contentBlockStop: { contentBlockIndex: 0 } }
      yield { messageStop: { stopReason: 'end_turn' } }
      yield {
        metadata: {
          usage: { inputTokens: 16, outputTokens: deltas, totalTokens: 16 + deltas },
          metrics: { latencyMs: 1 },
        },
      }
    },
  }
}

function check(name, deltas, text, expected) {
  if (deltas !== expected || text.length !== expectedTextLength(expected)) {
    throw new Error(`self-check failed: ${name}: ${deltas} deltas, ${text.length} characters`)
  }
}

/** One more async-generator layer, the way a provider wraps a client's stream. */
async function* throughAsyncGenerator(source) {
  for await (const event of source) yield event
}

/** The same layer as a hand-written iterator whose `next()` is an async function. */
function throughAsyncNext(source) {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]()
      return {
        async next() {
          const step = await iterator.next()
          return step
        },
        return: (value) => iterator.return(value),
      }
    },
  }
}

/** Reads a stream of model events like the floor does; returns the delta count and the text. */
async function readDeltas(stream) {
  let count = 0
  let text = ''
  for await (const event of stream) {
    const delta = event.contentBlockDelta?.delta.text
    if (delta !== undefined) {
      count++
      text += delta
    }
  }
  return { count, text }
}

export function coreLoopScenario(deltas, options) {
  const floorThrough = (name, wrap) => async () => {
    const model = memoryModel(deltas)
    return {
      async run() {
        const { count, text } = await readDeltas(wrap(model.stream()))
        check(name, count, text, deltas)
        return { deltas: count, requests: 0 }
      },
    }
  }
  return {
    ...options,
    tokensPerRun: deltas,
    floorLabel: 'floor (model stream read directly)',
    // `--diagnose`: what one more layer per token costs, as an async generator and as a hand-written iterator.
    diagnosticVariants: {
      'floor-through-async-generator': floorThrough('floor-through-async-generator', throughAsyncGenerator),
      'floor-through-async-next': floorThrough('floor-through-async-next', throughAsyncNext),
    },
    variants: {
      async floor() {
        const model = memoryModel(deltas)
        return {
          async run() {
            let count = 0
            let text = ''
            for await (const event of model.stream()) {
              const delta = event.contentBlockDelta?.delta.text
              if (delta !== undefined) {
                count++
                text += delta
              }
            }
            check('floor', count, text, deltas)
            return { deltas: count, requests: 0 }
          },
        }
      },
      async agent() {
        const { Agent } = await import('@agent/core')
        const { agentRun } = await import('./agent.mjs')
        const model = memoryModel(deltas)
        return {
          async run() {
            const agent = new Agent({ model, callbackHandler: null })
            const answer = await agentRun(agent, 'Tell me a story.')
            check('agent', answer.deltas, answer.text, deltas)
            return { deltas: answer.deltas, requests: 0 }
          },
        }
      },
    },
  }
}
