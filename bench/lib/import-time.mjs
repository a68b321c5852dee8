// Cold import time of one module in a fresh process: `node import-time.mjs <specifier>`. Prints ms.
const specifier = process.argv[2]
const startedAt = performance.now()
await import(specifier)
process.stdout.write(`${performance.now() - startedAt}\n`)
