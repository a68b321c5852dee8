/**
 * The worker thread that runs calculations. It holds its own locked mathjs instances, answers one request
 * at a time, and is killed and replaced by the tool when a request passes its deadline or its memory limit.
 */
import { parentPort } from 'node:worker_threads'
import { CalculatorEngine } from './engine/compute.ts'
import type { EngineRequest, WorkerReady } from './engine/protocol.ts'

if (parentPort === null) throw new Error('calculator-worker must run in a worker thread.')
const port = parentPort
const engine = new CalculatorEngine()
port.on('message', (request: EngineRequest) => {
  port.postMessage(engine.compute(request))
})
port.postMessage({ ready: true } satisfies WorkerReady)
