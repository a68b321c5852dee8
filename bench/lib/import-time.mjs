// Cold import time of one module in a fresh process: `node import-time.mjs <specifier>`.
// Prints the wall ms and the CPU ms (user + system) of the import; CPU is less sensitive to a busy machine.
const specifier = process.argv[2]
const cpuBefore = process.cpuUsage()
const startedAt = performance.now()
await import(specifier)
const wallMs = performance.now() - startedAt
const cpu = process.cpuUsage(cpuBefore)
process.stdout.write(`${wallMs} ${(cpu.user + cpu.system) / 1000}\n`)
