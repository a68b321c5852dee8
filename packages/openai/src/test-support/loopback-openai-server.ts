// The loopback OpenAI server lives in the private workspace package so that the examples' tests share it;
// what only these tests need (recorded fixtures, the vitest hooks) stays here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { LoopbackOpenAIServer } from '@agent/loopback-providers/openai'
import { afterAll, beforeAll } from 'vitest'

export * from '@agent/loopback-providers/openai'

/** The non-empty lines of a recorded `.jsonl` fixture, exactly as recorded. */
export function fixtureLines(fixtures: string, ...path: string[]): string[] {
  return readFileSync(join(fixtures, ...path), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
}

/** The raw bytes of a recorded fixture file. */
export function fixtureBytes(fixtures: string, ...path: string[]): Buffer {
  return readFileSync(join(fixtures, ...path))
}

/**
 * Starts one loopback server for the enclosing `describe` (closed after it) and hands it to `onStart`,
 * where the suite builds the model it tests against `server.baseURL`.
 */
export function useLoopbackOpenAIServer(onStart: (server: LoopbackOpenAIServer) => void): void {
  let server: LoopbackOpenAIServer | undefined
  beforeAll(async () => {
    server = await LoopbackOpenAIServer.start()
    onStart(server)
  })
  afterAll(async () => {
    await server?.close()
  })
}
