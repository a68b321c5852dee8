/**
 * The worker thread that runs calculations. It holds its own locked mathjs instances, answers one request
 * at a time, and is killed and replaced by the tool when a request passes its deadline or its memory limit.
 */
import * as nodeModule from 'node:module'
import { parentPort } from 'node:worker_threads'
import type { EngineRequest, WorkerReady } from './engine/protocol.ts'

if (parentPort === null) throw new Error('calculator-worker must run in a worker thread.')
const port = parentPort
// Node's compile cache (Node 22.1+) keeps V8's compiled mathjs between processes: a later cold start skips most
// of the parse and compile. Enabled before the engine (and mathjs) is imported, so that it covers them.
;(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.()
const { CalculatorEngine } = await import('./engine/compute.ts')
const engine = new CalculatorEngine()
port.on('message', (request: EngineRequest) => {
  port.postMessage(engine.compute(request))
})
port.postMessage({ ready: true } satisfies WorkerReady)
