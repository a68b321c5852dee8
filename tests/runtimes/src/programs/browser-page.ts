// The browser page's script: core and OpenAIModel, bundled by esbuild. The test calls `runScenarios`
// with the loopback OpenAI-compatible server's URL (another origin: the requests go through CORS).

import { arithmeticCalculator, offlineDemo, openAIToolTurn } from './scenarios.ts'

async function runScenarios(baseURL: string) {
  const output = document.getElementById('output')!
  let textChunks = 0
  const openai = await openAIToolTurn(baseURL, {
    browser: true,
    onText(text) {
      textChunks++
      output.append(text)
    },
  })
  return { offline: await offlineDemo(arithmeticCalculator), openai, textChunks, shown: output.textContent }
}

;(globalThis as { runScenarios?: typeof runScenarios }).runScenarios = runScenarios
