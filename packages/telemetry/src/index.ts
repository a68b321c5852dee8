export { type TelemetryOptions, telemetry } from './agent-telemetry.js'
export { instrumentAgents } from './instrument-agents.js'
export { attribute, metricName, operation } from './semantic-conventions.js'
export { type RequestContext, type TraceRequestsOptions, traceRequests } from './trace-requests.js'
