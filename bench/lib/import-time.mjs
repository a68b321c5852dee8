// Cold import time of one module in a fresh process: `node import-time.mjs <specifier>`.
// Prints the wall ms and the CPU ms (user + system) of the import; CPU is less sensitive to a busy machine.
// `construct:openai` / `construct:agent`: the import plus building what a first call needs (a bare client;
// an `Agent` on an `OpenAIModel`).
const specifier = process.argv[2]
const baseURL = 'http://127.0.0.1:9/v1'
const cpuBefore = process.cpuUsage()
const startedAt = performance.now()
if (specifier === 'construct:openai') {
  const { default: OpenAI } = await import('openai')
  new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0 })
} else if (specifier === 'construct:agent') {
  const [{ Agent }, { OpenAIModel }] = await Promise.all([import('@agent/core'), import('@agent/openai')])
  const model = new OpenAIModel({ modelId: 'bench', clientArgs: { apiKey: 'bench', baseURL } })
  new Agent({ model, callbackHandler: null })
} else {
  await import(specifier)
}
const wallMs = performance.now() - startedAt
const cpu = process.cpuUsage(cpuBefore)
process.stdout.write(`${wallMs} ${(cpu.user + cpu.system) / 1000}\n`)
