// One scenario variant in a fresh process: `node --expose-gc run-scenario.mjs <scenario> <variant> <warmups> <runs>`.
// Each run: forced GC, peak-RSS reset, then CPU (user+sys), wall time and peak RSS around the run; after
// it (outside the measurement) the server's request counts for the run's tag are checked. The last stdout
// line is the JSON report.
import './loopback-guard.mjs'
import { readFileSync, writeFileSync } from 'node:fs'
import { connectionAttempts } from './loopback-guard.mjs'

const [scenarioName, variant, warmupText, runText] = process.argv.slice(2)
const baseURL = process.env.BENCH_MODEL_URL
if (!baseURL) throw new Error('BENCH_MODEL_URL is not set: start the runner with `node bench/run.mjs`.')
if (typeof globalThis.gc !== 'function') throw new Error('Run with --expose-gc.')

const { scenarios } = await import('../scenarios/index.mjs')
const scenario = scenarios[scenarioName]
if (scenario === undefined) throw new Error(`Unknown scenario ${scenarioName}`)
const prepare = scenario.variants[variant] ?? scenario.diagnosticVariants?.[variant]
if (prepare === undefined) throw new Error(`Scenario ${scenarioName} has no variant ${variant}`)

const runner = await prepare({ baseURL })

/** Linux can reset the peak RSS (VmHWM, which getrusage reports) so each run gets its own peak. */
function resetPeakRss() {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

async function serverStats(tag) {
  const response = await fetch(new URL(`/stats?tag=${encodeURIComponent(tag)}`, baseURL))
  return response.json()
}

function collectGarbage() {
  globalThis.gc()
  globalThis.gc()
}

// With BENCH_PROFILE_DIR set, the V8 CPU profiler (what --cpu-prof uses) records the measured runs only,
// so imports, setup and warm-ups stay out of the profile.
const profileDirectory = process.env.BENCH_PROFILE_DIR
let profiler
async function startProfiler() {
  if (profiler === undefined) {
    const { Session } = await import('node:inspector/promises')
    profiler = new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.setSamplingInterval', {
      interval: Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 125),
    })
  }
  await profiler.post('Profiler.start')
}
/** One profile per measured run, so the forced GC between runs stays out of it. */
async function stopProfiler(index) {
  const { profile } = await profiler.post('Profiler.stop')
  writeFileSync(
    `${profileDirectory}/${scenarioName}-${variant}-${process.pid}-${index}.cpuprofile`,
    JSON.stringify(profile),
  )
}

const warmups = Number(warmupText)
const runs = Number(runText)
const measured = []
let peakResettable = true
for (let index = 0; index < warmups + runs; index++) {
  const tag = `${scenarioName}.${variant}.${process.pid}.${index}`
  collectGarbage()
  peakResettable = resetPeakRss() && peakResettable
  const rssBeforeKb = process.memoryUsage.rss() / 1024
  const profiling = profileDirectory !== undefined && index >= warmups
  if (profiling) await startProfiler()
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  const outcome = await runner.run(tag)
  const wallMs = performance.now() - wallBefore
  const cpu = process.cpuUsage(cpuBefore)
  const maxRssKb = process.resourceUsage().maxRSS
  if (profiling) await stopProfiler(index)
  // Checked after the clock stops: the server saw exactly the expected requests, no retries, no rejects.
  const stats = await serverStats(outcome.tag ?? tag)
  const expectedRequests = outcome.requests
  if (
    stats.requests !== expectedRequests ||
    stats.completed !== expectedRequests ||
    stats.rejected !== 0 ||
    stats.disconnected !== 0
  ) {
    throw new Error(
      `${scenarioName}/${variant}: the server saw ${JSON.stringify(stats)}, expected ${expectedRequests} completed requests and nothing else.`,
    )
  }
  if (index >= warmups) {
    measured.push({
      cpuMicros: cpu.user + cpu.system,
      userMicros: cpu.user,
      systemMicros: cpu.system,
      wallMs,
      maxRssKb,
      rssBeforeKb,
      deltas: outcome.deltas,
      toolCalls: outcome.toolCalls ?? 0,
      requests: expectedRequests,
      ...(outcome.bytesPerAnswer !== undefined && { bytesPerAnswer: outcome.bytesPerAnswer }),
    })
  }
}
profiler?.disconnect()
await runner.close?.()
const connections = connectionAttempts()
const status = readFileSync('/proc/self/status', 'utf8')
process.stdout.write(
  `${JSON.stringify({
    scenario: scenarioName,
    variant,
    warmups,
    node: process.version,
    peakResettable,
    connections,
    threads: Number(/Threads:\s+(\d+)/.exec(status)?.[1]),
    runs: measured,
  })}\n`,
)
process.exit(0)
