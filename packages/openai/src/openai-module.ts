import type * as OpenAIModule from 'openai'

type OpenAIModuleExports = typeof OpenAIModule

let loaded: OpenAIModuleExports | undefined
let loading: Promise<OpenAIModuleExports> | undefined

/**
 * The `openai` package, imported on the first request rather than with this package: importing it costs
 * more than the rest of an agent's start, and an app that builds agents at startup (or never calls this
 * provider) should not pay for it then.
 */
export function loadOpenAIModule(): Promise<OpenAIModuleExports> {
  loading ??= import('openai').then((module) => {
    loaded = module
    return module
  })
  return loading
}

/** The `openai` package once a request loaded it; `undefined` before (no error of its own can exist yet). */
export function loadedOpenAIModule(): OpenAIModuleExports | undefined {
  return loaded
}
