export { bedrockArithmeticReply } from './bedrock-arithmetic.js'
export * from './bedrock-loopback-server.js'
