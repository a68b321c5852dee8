import { AgentError } from '../errors/agent-error.js'
import type { Model } from '../model/model.js'
import { OfflineModel } from './offline-model.js'

/** A function that makes a model from the part of a model string after `provider:`. */
export type ModelFactory = (modelId: string) => Model | Promise<Model>

const factories = new Map<string, ModelFactory>([
  ['openai', (modelId) => loadProvider('@agent/openai', 'OpenAIModel', modelId)],
  ['openai-responses', (modelId) => loadProvider('@agent/openai', 'OpenAIResponsesModel', modelId)],
  ['bedrock', (modelId) => loadProvider('@agent/bedrock', 'BedrockModel', modelId)],
])

/** Lets `'name:modelId'` strings make models of another provider. */
export function registerModelProvider(name: string, factory: ModelFactory): void {
  factories.set(name, factory)
}

export const defaultOpenAIModelId = 'gpt-4.1-mini'
export const defaultBedrockModelId = 'us.anthropic.claude-sonnet-4-20250514-v1:0'

let offlineNoticeShown = false

/**
 * Turns the `model` option into a `Model`: the object itself, a `'provider:modelId'` string, or, when
 * omitted, the environment (`AGENT_MODEL`, then `OPENAI_API_KEY`, then AWS credentials), else the offline model.
 */
export async function resolveModel(model: Model | string | undefined): Promise<Model> {
  if (typeof model === 'object') return model
  if (typeof model === 'string') return fromModelString(model)
  const env = environment()
  if (env.AGENT_MODEL) return fromModelString(env.AGENT_MODEL)
  if (env.OPENAI_API_KEY) return fromModelString(`openai:${env.OPENAI_MODEL || defaultOpenAIModelId}`)
  if (
    env.AWS_ACCESS_KEY_ID ||
    env.AWS_PROFILE ||
    env.AWS_BEARER_TOKEN_BEDROCK ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE
  ) {
    return fromModelString(`bedrock:${env.BEDROCK_MODEL_ID || defaultBedrockModelId}`)
  }
  if (!offlineNoticeShown) {
    offlineNoticeShown = true
    console.error(
      '[agent] No model provider is configured, so the offline model answers (arithmetic only, no network). ' +
        'Set OPENAI_API_KEY, AWS credentials, or AGENT_MODEL=openai:gpt-4.1-mini to use a real model.',
    )
  }
  return new OfflineModel()
}

async function fromModelString(spec: string): Promise<Model> {
  const separator = spec.indexOf(':')
  if (separator <= 0) {
    throw new AgentError(
      `Model "${spec}" is not of the form "provider:modelId" (e.g. "openai:gpt-4.1-mini").`,
    )
  }
  const provider = spec.slice(0, separator)
  const factory = factories.get(provider)
  if (factory === undefined) {
    throw new AgentError(
      `Unknown model provider "${provider}" in "${spec}". Known: ${[...factories.keys()].join(', ')}; add one with registerModelProvider().`,
    )
  }
  return factory(spec.slice(separator + 1))
}

async function loadProvider(packageName: string, exportName: string, modelId: string): Promise<Model> {
  const module = await importFromApp(packageName)
  const ModelClass = module[exportName] as (new (options: { modelId: string }) => Model) | undefined
  if (typeof ModelClass !== 'function') throw new AgentError(`${packageName} does not export ${exportName}.`)
  return new ModelClass({ modelId })
}

/**
 * Imports a provider package. Core does not depend on providers, so under strict layouts (pnpm)
 * the package may be reachable only from the app: try from here first, then from the program's own
 * file (`node path/to/app.ts` run from anywhere), then from the working directory.
 */
async function importFromApp(packageName: string): Promise<Record<string, unknown>> {
  try {
    return (await import(packageName)) as Record<string, unknown>
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error
  }
  let cause: unknown = new Error(`${packageName} is not installed.`)
  for (const resolvedUrl of resolveFromApp(packageName)) {
    try {
      return (await import(resolvedUrl)) as Record<string, unknown>
    } catch (error) {
      cause = error
    }
  }
  throw new AgentError(`Install ${packageName} to use this model (npm install ${packageName}).`, { cause })
}

interface NodeProcess {
  cwd(): string
  argv?: string[]
  getBuiltinModule?(id: string): unknown
}

/**
 * The package's URL as resolved from the program's own file, then from the working directory. Node, Bun and
 * Deno do it through `process.getBuiltinModule`, which needs no `node:` import, so the module graph stays
 * loadable in browsers and workers (where this yields nothing).
 */
function* resolveFromApp(packageName: string): Generator<string> {
  const nodeProcess = (globalThis as { process?: NodeProcess }).process
  const moduleBuiltin = nodeProcess?.getBuiltinModule?.('node:module') as
    | typeof import('node:module')
    | undefined
  const urlBuiltin = nodeProcess?.getBuiltinModule?.('node:url') as typeof import('node:url') | undefined
  if (nodeProcess === undefined || moduleBuiltin === undefined || urlBuiltin === undefined) return
  const program = nodeProcess.argv?.[1]
  for (const origin of [...(program ? [program] : []), `${nodeProcess.cwd()}/`]) {
    try {
      yield urlBuiltin.pathToFileURL(moduleBuiltin.createRequire(origin).resolve(packageName)).href
    } catch {
      // Not reachable from this origin: try the next.
    }
  }
}

function environment(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
}
