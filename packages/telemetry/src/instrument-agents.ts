import { addGlobalHooks } from '@agent/core'
import { type TelemetryOptions, telemetry } from './agent-telemetry.js'

/**
 * Traces every agent constructed from now on, without touching their options (the one-line setup for an
 * app with many agents). Returns a function that stops instrumenting new agents.
 */
export function instrumentAgents(options: TelemetryOptions = {}): () => void {
  return addGlobalHooks(telemetry(options))
}
