import { execFile } from 'node:child_process'
import type { BedrockLoopbackServer } from './bedrock-loopback-server.js'
import type { LoopbackOpenAIServer } from './openai-loopback-server.js'

/** What a finished example printed, and how it exited. */
export interface ExampleRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs an example's program with Node, as `npx -y pnpm@12.4.2 example <name>` would, and resolves when it
 * exits (never rejects on a failure: the test asserts on the code). The deadline only guards against a hang.
 */
export function runExample(
  script: string,
  options: { cwd?: string; env: NodeJS.ProcessEnv; args?: string[]; timeoutMs?: number },
): Promise<ExampleRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...(options.args ?? [])],
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 20_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Variables that pick a model provider; `withoutProviders` clears them so the machine's own settings never leak in. */
const providerVariables = [
  'AGENT_MODEL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_MODEL',
  'OPENAI_ORG_ID',
  'OPENAI_PROJECT_ID',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
  'BEDROCK_MODEL_ID',
]

/**
 * The environment with no provider configured: the agent falls back to the offline model. NODE_PATH goes too:
 * pnpm's bin shims set it to the store's hoisted packages, through which an example would find provider packages
 * it does not depend on, as no user's program could.
 */
export function withoutProviders(environment: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy = { ...environment }
  for (const name of providerVariables) delete copy[name]
  delete copy.NODE_PATH
  return copy
}

/** What a user sets to use OpenAI, with the base URL pointing at the loopback server. */
export function openAIEnvironment(server: LoopbackOpenAIServer): NodeJS.ProcessEnv {
  return { ...withoutProviders(), OPENAI_API_KEY: 'sk-loopback', OPENAI_BASE_URL: server.baseURL }
}

/** What a user sets to use Bedrock (static credentials, a region), with the endpoint pointing at the loopback server. */
export function bedrockEnvironment(server: BedrockLoopbackServer): NodeJS.ProcessEnv {
  return {
    ...withoutProviders(),
    AWS_ACCESS_KEY_ID: 'AKIDLOOPBACK',
    AWS_SECRET_ACCESS_KEY: 'loopback-secret',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.endpoint,
  }
}
