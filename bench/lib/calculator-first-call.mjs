// First-call latency of the calculator in a fresh process: `node calculator-first-call.mjs <immediate|idle>`.
// `immediate`: the tool is called right after it is created (the worker is still starting: the worst case).
// `idle`: the tool is created, the process idles until the worker is ready (the startup hidden, as in an app
// that creates its tools before the first prompt), then it is called. Prints the ms from the call to its result,
// and the ms from creation to a ready worker.
import { createCalculatorTool } from '@agent/calculator'

const context = {
  signal: new AbortController().signal,
  toolUse: { toolUseId: 'bench', name: 'calculator', input: {} },
  agent: undefined,
}
const createdAt = performance.now()
const calculator = createCalculatorTool()
let readyMs
if (process.argv[2] === 'idle') {
  await calculator.warm()
  readyMs = performance.now() - createdAt
}
const calledAt = performance.now()
const result = await calculator.invoke({ expression: '2 * sin(pi/4) + log(e^2)' }, context)
const callMs = performance.now() - calledAt
if (result.status !== 'success') throw new Error(JSON.stringify(result))
process.stdout.write(`${JSON.stringify({ callMs, readyMs })}\n`)
await calculator.close()
