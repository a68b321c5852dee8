// The public types use Symbol.asyncDispose: consumers need this lib, with or without @types/node.
/// <reference lib="esnext.disposable" preserve="true" />
export { type CollectedStream, collectStream, eventTypes } from './collect-stream.js'
export { conversationProblems } from './conversation-checks.js'
export { fixturesDirectory, fixturesSkipMessage } from './fixtures-directory.js'
export {
  contentToStreamEvents,
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedTurn,
} from './scripted-model.js'
export { recordSkipReason } from './skip-reasons.js'
