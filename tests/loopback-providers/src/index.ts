// Loopback model providers for tests: the real `openai` and Bedrock clients talk to them over real sockets in
// the real wire formats. Per-provider details are at `./openai` and `./bedrock`; this entry has what the
// examples' tests need.

import { bedrockArithmeticReply } from './bedrock-arithmetic.js'
import { BedrockLoopbackServer } from './bedrock-loopback-server.js'
import { openAIArithmeticReply } from './openai-arithmetic.js'
import { LoopbackOpenAIServer } from './openai-loopback-server.js'

export { type ArithmeticTurn, arithmeticTurn, type ConversationView } from './arithmetic-turn.js'
export {
  bedrockEnvironment,
  type ExampleRun,
  openAIEnvironment,
  runExample,
  withoutProviders,
} from './run-example.js'
export { BedrockLoopbackServer, bedrockArithmeticReply, LoopbackOpenAIServer, openAIArithmeticReply }

/** A loopback OpenAI that answers every request like a model using the calculator. */
export async function startArithmeticOpenAI(): Promise<LoopbackOpenAIServer> {
  return (await LoopbackOpenAIServer.start()).respondWith(openAIArithmeticReply)
}

/** A loopback Bedrock that answers every request like a model using the calculator. */
export async function startArithmeticBedrock(): Promise<BedrockLoopbackServer> {
  return (await BedrockLoopbackServer.start()).respondWith(bedrockArithmeticReply)
}
