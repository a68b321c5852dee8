export {
  type AgentFactoryContext,
  type AgentRoutesOptions,
  addAgentRoutes,
  createAgentServer,
  PromptRequest,
} from './agent-routes.js'
export type { BodySchema, SchemaIssue, ValidationErrorDetail } from './body-schema.js'
export { toValidationErrors } from './body-schema.js'
export { HTTPException, jsonResponse, responseOf } from './http-exception.js'
export { InMemoryRunStore, type InMemoryRunStoreOptions, SerializedRecord } from './in-memory-run-store.js'
export type { OpenAPIDocument, RouteDocumentation } from './openapi.js'
export { mountPlayground, type PlaygroundOptions } from './playground/index.js'
export { type AbortCause, type PublicError, redactSecrets, toPublicError } from './public-error.js'
export { readJsonBody } from './read-json-body.js'
export { credentialOwner, type RunOwnerContext } from './run-owner.js'
export {
  type ErrorWireEvent,
  type RunInfo,
  type RunRead,
  type RunRecord,
  type RunStore,
  RunStoreError,
  type RunStoreErrorCode,
  type WireEvent,
} from './run-store.js'
export {
  type ErrorContext,
  type RouteContext,
  type RouteHandler,
  type RouteOptions,
  ServerApp,
  type ServerAppOptions,
} from './server-app.js'
export {
  EventSourceResponse,
  type EventSourceResponseOptions,
  encodeJsonServerSentEvent,
  encodeServerSentEvent,
  type ServerSentEvent,
} from './server-sent-events.js'
export type { StreamControl } from './stream-control.js'
export {
  innermostEvent,
  resultText,
  runToResult,
  type Streamable,
  type StreamableEvent,
} from './streamable.js'
export { StreamingResponse, type StreamingResponseOptions } from './streaming-response.js'
