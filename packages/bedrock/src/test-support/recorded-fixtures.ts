import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BedrockModel } from '../bedrock-model.js'
import type { BedrockModelOptions } from '../bedrock-model-options.js'
import type { BedrockLoopbackServer } from './bedrock-loopback-server.js'

export type RecordedEvent = Record<string, any>

/** One event per line, as the fixtures README describes. */
export function readJsonLines(path: string): RecordedEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedEvent)
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** Bytes of a base64 capture file. */
export function readBase64(path: string): Uint8Array {
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
}

/** Files of a folder with this ending, sorted. */
export function filesIn(directory: string, ending: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(ending))
    .sort()
    .map((name) => join(directory, name))
}

export const claudeModelId = 'us.anthropic.claude-sonnet-4-20250514-v1:0'

/** A BedrockModel on the real SDK client, pointed at the loopback server with fake static credentials. */
export function loopbackModel(
  server: BedrockLoopbackServer,
  options: Partial<BedrockModelOptions> = {},
): BedrockModel {
  return new BedrockModel({
    modelId: claudeModelId,
    ...options,
    clientConfig: {
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOOPBACK', secretAccessKey: 'loopback-secret' },
      ...options.clientConfig,
    },
  })
}
