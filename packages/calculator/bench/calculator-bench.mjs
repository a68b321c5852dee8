// Tool-time benchmark of @agent/calculator: how long a warm calculator takes per call.
// Run after a build: `pnpm --filter @agent/calculator bench` (or `node bench/calculator-bench.mjs`).
// Not part of `test`: numbers depend on the machine.
import { Agent, OfflineModel } from '@agent/core'
import { createCalculatorTool } from '../dist/index.js'

const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000)
const calculator = createCalculatorTool()
const context = {
  signal: new AbortController().signal,
  toolUse: { toolUseId: 'bench', name: 'calculator', input: {} },
  agent: undefined,
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]
}

async function measure(label, call) {
  for (let warmup = 0; warmup < 200; warmup++) await call()
  const times = []
  for (let index = 0; index < iterations; index++) {
    const start = performance.now()
    const result = await call()
    times.push(performance.now() - start)
    if (result.status !== 'success') throw new Error(`${label}: ${JSON.stringify(result)}`)
  }
  times.sort((a, b) => a - b)
  const mean = times.reduce((sum, time) => sum + time, 0) / times.length
  console.log(
    `${label.padEnd(44)} p50 ${percentile(times, 0.5).toFixed(3)} ms  p95 ${percentile(times, 0.95).toFixed(3)} ms  mean ${mean.toFixed(3)} ms`,
  )
}

const coldStart = performance.now()
await calculator.warm()
console.log(
  `worker start (load mathjs, build locked instances): ${(performance.now() - coldStart).toFixed(0)} ms`,
)

await measure('invoke 2+2 (worker round trip)', () => calculator.invoke({ expression: '2+2' }, context))
await measure('invoke 42+7', () => calculator.invoke({ expression: '42+7' }, context))
await measure('invoke sqrt(3)^2 * sin(pi/4), precision 6', () =>
  calculator.invoke({ expression: 'sqrt(3)^2 * sin(pi/4)', precision: 6 }, context),
)
await measure('invoke 5 cm to inch', () => calculator.invoke({ expression: '5 cm to inch' }, context))
await measure('invoke det([1,2;3,4])', () => calculator.invoke({ expression: 'det([1,2;3,4])' }, context))
await measure('invoke derive x^2*sin(x)', () =>
  calculator.invoke({ expression: 'x^2*sin(x)', mode: 'derive' }, context),
)
const agent = new Agent({ model: new OfflineModel(), tools: [calculator], callbackHandler: null })
await measure('agent.tool.calculator 2+2 (with validation)', () =>
  agent.tool.calculator({ expression: '2+2' }),
)
await calculator.close()
