// The loopback Bedrock lives in the private workspace package so that the examples' tests share it.
export * from '@agent/loopback-providers/bedrock'
