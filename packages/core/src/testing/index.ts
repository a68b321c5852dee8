export { type CollectedStream, collectStream, eventTypes } from './collect-stream.js'
export { conversationProblems } from './conversation-checks.js'
export { fixturesDirectory, fixturesSkipMessage } from './fixtures-directory.js'
export {
  contentToStreamEvents,
  ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedTurn,
} from './scripted-model.js'
