export { openAIArithmeticReply } from './openai-arithmetic.js'
export {
  chatEventStream,
  LoopbackOpenAIServer,
  type RecordedRequest,
  type Reply,
  responsesEventStream,
} from './openai-loopback-server.js'
