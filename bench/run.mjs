// `pnpm bench` (or `node bench/run.mjs [scenario…|imports] [--quick] [--profile]`).
// Starts the loopback model server in its own process, runs every scenario variant in fresh child processes
// (floor, agent, agent, floor: drift cancels out), measures cold imports, and writes a markdown table to
// bench/results/ (latest.md and a dated copy). Exits non-zero when a self-check fails.
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, spread } from './lib/statistics.mjs'
import { formatComparison, formatSummary, summarizeProfiles } from './lib/summarize-profile.mjs'
import { scenarios } from './scenarios/index.mjs'

const benchDirectory = dirname(fileURLToPath(import.meta.url))
const resultsDirectory = join(benchDirectory, 'results')
const startedAt = performance.now()
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const profile = args.includes('--profile')
const diagnose = args.includes('--diagnose')
const selected = args.filter((arg, index) => !arg.startsWith('--') && args[index - 1] !== '--from')
const pseudoScenarios = new Set(['imports', 'calculator'])
const unknown = selected.filter((name) => !pseudoScenarios.has(name) && !(name in scenarios))
if (unknown.length > 0) {
  console.error(
    `Unknown scenario ${unknown.join(', ')}. Known: ${Object.keys(scenarios).join(', ')}, imports, calculator.`,
  )
  process.exit(2)
}
const scenarioNames =
  selected.length === 0 ? Object.keys(scenarios) : selected.filter((name) => name in scenarios)
const measureImports = selected.length === 0 || selected.includes('imports')
const measureCalculator = selected.length === 0 || selected.includes('calculator')
const node = process.execPath
if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(
    `bench: Node ${process.version} is too old; run it through \`pnpm bench\` (Node 24 from the repo).`,
  )
  process.exit(2)
}

const childTimeoutMs = 240_000

/** Runs a child to completion; resolves with its stdout, rejects with its stderr tail. */
function runChild(childArgs, environment = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, childArgs, {
      cwd: benchDirectory,
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    // A child that hangs (a stuck stream, a lost connection) must not hang the whole bench.
    const deadline = setTimeout(() => {
      stderr += `\nError: the child did not finish within ${childTimeoutMs / 1000} s and was stopped.`
      child.kill('SIGKILL')
    }, childTimeoutMs)
    child.stdout.on('data', (part) => {
      stdout += part
    })
    child.stderr.on('data', (part) => {
      stderr += part
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(deadline)
      if (code === 0) resolve(stdout)
      else {
        // The thrown error's first line says what went wrong; the stack follows it.
        const lines = stderr.trim().split('\n')
        const first = lines.find((line) => /^\w*Error\b|self-check failed/.test(line)) ?? lines.at(-1)
        reject(new Error(`exit ${code}: ${first}\n${lines.slice(0, 30).join('\n')}`))
      }
    })
  })
}

function startModelServer() {
  return new Promise((resolve, reject) => {
    // stdin stays open as a lifeline: the server exits when this process goes away, however it ends.
    const server = spawn(node, [join(benchDirectory, 'lib/model-server.mjs')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    server.on('error', reject)
    server.stdout.once('data', (line) => {
      const { port } = JSON.parse(String(line))
      resolve({ server, baseURL: `http://127.0.0.1:${port}/` })
    })
  })
}

async function agentAvailability() {
  try {
    const openaiPackage = await import('@agent/openai')
    return typeof openaiPackage.OpenAIModel === 'function'
      ? undefined
      : '@agent/openai has no OpenAIModel yet (merge the openai branch)'
  } catch (error) {
    return `@agent/openai does not load: ${error.message}`
  }
}

async function runScenario(name, baseURL, agentMissing) {
  const scenario = scenarios[name]
  const warmups = quick ? Math.min(1, scenario.warmups) : scenario.warmups
  const runs = quick ? Math.min(3, scenario.runs) : scenario.runs
  // Children per variant, alternating floor/agent (ABBA ABBA…) so that load drift on the machine hits both.
  const childCount = quick || profile ? 1 : (scenario.children ?? 2)
  const perChild = Math.ceil(runs / childCount)
  const names = ['floor', ...(diagnose ? Object.keys(scenario.diagnosticVariants ?? {}) : []), 'agent']
  const order = []
  for (let index = 0; index < childCount; index++) {
    order.push(...(index % 2 === 0 ? names : [...names].reverse()))
  }
  const variants = Object.fromEntries(names.map((variant) => [variant, { runs: [], error: undefined }]))
  if (agentMissing) variants.agent.error = agentMissing
  const profileDirectories = {}
  for (const variant of order) {
    const entry = variants[variant]
    if (entry.error || (agentMissing && variant.startsWith('agent'))) continue
    const flags = ['--expose-gc']
    const environment = { BENCH_MODEL_URL: baseURL }
    if (profile) {
      const directory = join(resultsDirectory, 'profiles', `${name}-${variant}`)
      rmSync(directory, { recursive: true, force: true })
      mkdirSync(directory, { recursive: true })
      profileDirectories[variant] = directory
      environment.BENCH_PROFILE_DIR = directory
    }
    process.stdout.write(`  ${name} ${variant}: ${warmups} warm-up + ${perChild} runs… `)
    try {
      const stdout = await runChild(
        [
          ...flags,
          join(benchDirectory, 'lib/run-scenario.mjs'),
          name,
          variant,
          String(warmups),
          String(perChild),
        ],
        environment,
      )
      const report = JSON.parse(stdout.trim().split('\n').at(-1))
      if (report.connections.other.length > 0)
        throw new Error(`contacted ${report.connections.other.join(', ')}`)
      entry.runs.push(...report.runs)
      entry.connections = (entry.connections ?? 0) + report.connections.loopback
      entry.peakResettable = report.peakResettable
      process.stdout.write(`cpu ${(median(report.runs.map((run) => run.cpuMicros)) / 1000).toFixed(1)} ms\n`)
    } catch (error) {
      entry.error = error.message
      process.stdout.write(`FAILED\n${error.message}\n`)
    }
  }
  const profiles = {}
  for (const [variant, directory] of Object.entries(profileDirectories)) {
    const files = readdirSync(directory).map((file) => join(directory, file))
    if (files.length > 0) profiles[variant] = summarizeProfiles(files)
  }
  return { name, scenario, variants, profiles }
}

function figuresOf(scenario, entry) {
  if (entry.error || entry.runs.length === 0) return undefined
  const cpuMs = entry.runs.map((run) => run.cpuMicros / 1000)
  return {
    runs: entry.runs.length,
    cpuMs: median(cpuMs),
    cpuSpread: spread(cpuMs),
    wallMs: median(entry.runs.map((run) => run.wallMs)),
    // Per token only where tokens dominate; the tool scenario is judged per round trip.
    bestCpuMs: Math.min(...cpuMs),
    microsPerToken: scenario.toolCallsPerRun
      ? undefined
      : median(entry.runs.map((run) => run.cpuMicros / run.deltas)),
    msPerToolRoundTrip: scenario.toolCallsPerRun
      ? median(entry.runs.map((run) => run.cpuMicros / 1000 / run.toolCalls))
      : undefined,
    peakRssMb: median(entry.runs.map((run) => run.maxRssKb / 1024)),
    rssGrowthMb: median(entry.runs.map((run) => (run.maxRssKb - run.rssBeforeKb) / 1024)),
    deltas: entry.runs[0].deltas,
    toolCalls: entry.runs[0].toolCalls,
    requests: entry.runs[0].requests,
    connections: entry.connections,
    bytesPerAnswer: entry.runs[0].bytesPerAnswer,
  }
}

/** The calculator's first call in fresh processes: right after creation, and after the worker started in the background. */
async function measureCalculatorFirstCall() {
  const repetitions = quick ? 3 : 9
  const entries = []
  for (const mode of ['immediate', 'idle']) {
    const calls = []
    const ready = []
    try {
      for (let index = 0; index < repetitions; index++) {
        const output = JSON.parse(
          await runChild([join(benchDirectory, 'lib/calculator-first-call.mjs'), mode]),
        )
        calls.push(output.callMs)
        if (output.readyMs !== undefined) ready.push(output.readyMs)
      }
      entries.push({
        mode,
        callMs: median(calls),
        maxCallMs: Math.max(...calls),
        ...(ready.length > 0 && { readyMs: median(ready) }),
      })
    } catch (error) {
      entries.push({ mode, error: String(error).split('\n')[0] })
    }
  }
  return entries
}

function calculatorTable(entries) {
  const lines = [
    '| first call | ms from the call to its result (median) | max | worker ready after creation (median) |',
    '|---|---:|---:|---:|',
  ]
  const labels = {
    immediate: 'right after `createCalculatorTool()`',
    idle: 'after the background start (target < 300 ms)',
  }
  for (const entry of entries) {
    if (entry.error) lines.push(`| ${labels[entry.mode]} | failed: ${entry.error} | | |`)
    else {
      lines.push(
        `| ${labels[entry.mode]} | ${format(entry.callMs)} | ${format(entry.maxCallMs)} | ${entry.readyMs === undefined ? '' : format(entry.readyMs)} |`,
      )
    }
  }
  return lines.join('\n')
}

async function measureImportTimes() {
  const specifiers = [
    'openai',
    '@agent/core',
    '@agent/openai',
    '@agent/server',
    '@agent/bedrock',
    '@agent/calculator',
    '@agent/http-request',
    'construct:openai',
    'construct:agent',
  ]
  const repetitions = quick ? 3 : 15
  const samples = new Map(specifiers.map((specifier) => [specifier, { times: [], cpuTimes: [] }]))
  const failures = new Map()
  // Round-robin, so that load from other processes on the machine falls on every module alike.
  for (let index = 0; index < repetitions; index++) {
    for (const specifier of specifiers) {
      if (failures.has(specifier)) continue
      try {
        const [wallMs, cpuMs] = (await runChild([join(benchDirectory, 'lib/import-time.mjs'), specifier]))
          .trim()
          .split(' ')
          .map(Number)
        samples.get(specifier).times.push(wallMs)
        samples.get(specifier).cpuTimes.push(cpuMs)
      } catch (error) {
        failures.set(specifier, error.message.split('\n')[0])
      }
    }
  }
  const results = specifiers.map((specifier) => {
    if (failures.has(specifier)) return { specifier, error: failures.get(specifier) }
    const { times, cpuTimes } = samples.get(specifier)
    return {
      specifier,
      ms: median(times),
      minMs: Math.min(...times),
      cpuMs: median(cpuTimes),
      minCpuMs: Math.min(...cpuTimes),
      spread: spread(times),
    }
  })
  return results
}

const format = (value, digits = 1) =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits)
const ratio = (agent, floor) => (agent === undefined || floor === undefined ? undefined : agent / floor)
const formatRatio = (value) => (value === undefined ? '–' : `**${value.toFixed(2)}×**`)

function scenarioTable(results) {
  const lines = [
    '| scenario | variant | runs | CPU ms | spread | wall ms | CPU µs/token | CPU ms/tool trip | peak RSS MB | RSS above pre-run MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const { name, scenario, variants } of results) {
    const floor = figuresOf(scenario, variants.floor)
    const agent = figuresOf(scenario, variants.agent)
    for (const [variant, figures] of [
      [scenario.floorLabel ?? 'floor (bare openai)', floor],
      ['agent', agent],
    ]) {
      const entry = variants[variant === 'agent' ? 'agent' : 'floor']
      if (figures === undefined) {
        lines.push(
          `| ${name} | ${variant} | – | ${entry.error ? `not run: ${entry.error.split('\n')[0]}` : '–'} | | | | | | |`,
        )
        continue
      }
      lines.push(
        `| ${name} | ${variant} | ${figures.runs} | ${format(figures.cpuMs)} | ${format(figures.cpuSpread * 100, 0)}% | ${format(figures.wallMs)} | ${format(figures.microsPerToken, 2)} | ${format(figures.msPerToolRoundTrip, 2)} | ${format(figures.peakRssMb)} | ${format(figures.rssGrowthMb)} |`,
      )
    }
    if (floor && agent) {
      lines.push(
        `| ${name} | agent ÷ floor | | ${formatRatio(ratio(agent.cpuMs, floor.cpuMs))} | | ${formatRatio(ratio(agent.wallMs, floor.wallMs))} | ${formatRatio(ratio(agent.microsPerToken, floor.microsPerToken))} | ${formatRatio(ratio(agent.msPerToolRoundTrip, floor.msPerToolRoundTrip))} | ${formatRatio(ratio(agent.peakRssMb, floor.peakRssMb))} | ${formatRatio(ratio(agent.rssGrowthMb, floor.rssGrowthMb))} |`,
      )
    }
  }
  return lines.join('\n')
}

function diagnosticTable(results) {
  const lines = [
    // CPU per run: the same work in every variant, so the ratios hold per token and per tool round trip alike.
    '| scenario | variant | runs | CPU ms | ÷ floor | ÷ agent |',
    '|---|---|---:|---:|---:|---:|',
  ]
  for (const { name, scenario, variants } of results) {
    if (Object.keys(variants).length <= 2) continue
    const floor = figuresOf(scenario, variants.floor)
    const agent = figuresOf(scenario, variants.agent)
    for (const [variant, entry] of Object.entries(variants)) {
      const figures = figuresOf(scenario, entry)
      if (!figures) continue
      lines.push(
        `| ${name} | ${variant} | ${figures.runs} | ${format(figures.cpuMs, 1)} | ${formatRatio(ratio(figures.cpuMs, floor?.cpuMs))} | ${formatRatio(ratio(figures.cpuMs, agent?.cpuMs))} |`,
      )
    }
  }
  return lines.join('\n')
}

function targetRows(results, imports) {
  const rows = []
  const byName = Object.fromEntries(
    results.map(({ name, scenario, variants }) => [
      name,
      { floor: figuresOf(scenario, variants.floor), agent: figuresOf(scenario, variants.agent) },
    ]),
  )
  const add = (target, value, limit, unit = '×', bestRatio = undefined) => {
    const measured =
      value === undefined ? '–' : `${value.toFixed(unit === '×' ? 2 : 1)}${unit === '×' ? '×' : ` ${unit}`}`
    const verdict = value === undefined ? 'not measured' : value <= limit ? 'met' : '**MISSED**'
    const bestText = bestRatio === undefined ? '–' : `${bestRatio.toFixed(2)}×`
    rows.push(
      `| ${target} | ≤ ${limit}${unit === '×' ? '×' : ` ${unit}`} | ${measured} | ${bestText} | ${verdict} |`,
    )
  }
  const best = (name) => {
    const entry = byName[name]
    return entry ? ratio(entry.agent?.bestCpuMs, entry.floor?.bestCpuMs) : undefined
  }
  const figure = (name, key) => {
    const entry = byName[name]
    return entry ? ratio(entry.agent?.[key], entry.floor?.[key]) : undefined
  }
  if (byName['text-20000'])
    add('text-20000 CPU per token', figure('text-20000', 'microsPerToken'), 0.6, '×', best('text-20000'))
  if (byName['responses-text-20000']) {
    const name = 'responses-text-20000'
    add(`${name} CPU per token`, figure(name, 'microsPerToken'), 0.6, '×', best(name))
  }
  if (byName['long-1m'])
    add('long-1m CPU per token', figure('long-1m', 'microsPerToken'), 0.6, '×', best('long-1m'))
  if (byName['tools-25'])
    add(
      'tools-25 CPU per tool round trip',
      figure('tools-25', 'msPerToolRoundTrip'),
      1.1,
      '×',
      best('tools-25'),
    )
  if (byName['concurrent-100']) {
    add('concurrent-100 CPU', figure('concurrent-100', 'cpuMs'), 0.6, '×', best('concurrent-100'))
    add('concurrent-100 peak RSS', figure('concurrent-100', 'peakRssMb'), 1.1)
  }
  if (byName['server-sse-200'])
    add(
      'server-sse-200 CPU per token',
      figure('server-sse-200', 'microsPerToken'),
      1.1,
      '×',
      best('server-sse-200'),
    )
  if (byName['long-1m']) add('long-1m peak RSS', figure('long-1m', 'peakRssMb'), 1.5)
  if (byName['history-500-tools-200'])
    add(
      'history-500-tools-200 CPU per tool round trip ÷ empty history',
      figure('history-500-tools-200', 'msPerToolRoundTrip'),
      1.2,
      '×',
      best('history-500-tools-200'),
    )
  const core = imports?.find((entry) => entry.specifier === '@agent/core')
  if (core) add('@agent/core cold import', core.ms, 30, 'ms')
  const constructed = (name) => imports?.find((entry) => entry.specifier === `construct:${name}`)
  const agentConstruct = constructed('agent')
  const openaiConstruct = constructed('openai')
  if (agentConstruct?.cpuMs !== undefined && openaiConstruct?.cpuMs !== undefined)
    add(
      'cold import + construct (core + openai + one agent) CPU ÷ bare client',
      agentConstruct.cpuMs / openaiConstruct.cpuMs,
      1.1,
      '×',
      agentConstruct.minCpuMs / openaiConstruct.minCpuMs,
    )
  return [
    '| target | limit | measured (median ratio) | best run ÷ best run | verdict |',
    '|---|---:|---:|---:|---|',
    ...rows,
  ].join('\n')
}

function importTable(imports) {
  const floor = imports.find((entry) => entry.specifier === 'openai')?.ms
  const lines = [
    '| module | cold import wall ms (median) | min | spread | CPU ms (median) | ÷ bare `openai` import (wall) |',
    '|---|---:|---:|---:|---:|---:|',
  ]
  for (const entry of imports) {
    if (entry.error) lines.push(`| \`${entry.specifier}\` | failed: ${entry.error} | | |`)
    else {
      lines.push(
        `| \`${entry.specifier}\` | ${format(entry.ms)} | ${format(entry.minMs)} | ${format(entry.spread * 100, 0)}% | ${format(entry.cpuMs)} | ${formatRatio(ratio(entry.ms, floor))} |`,
      )
    }
  }
  return lines.join('\n')
}

function selfChecks(results) {
  const lines = []
  for (const { name, scenario, variants } of results) {
    for (const variant of Object.keys(variants)) {
      const figures = figuresOf(scenario, variants[variant])
      if (!figures) continue
      lines.push(
        `- ${name} ${variant}: every run received ${figures.deltas} text deltas${figures.toolCalls ? ` and ran ${figures.toolCalls} tool calls` : ''}; the server saw exactly ${figures.requests} completed request(s) per run (no retries, no rejects); ${figures.connections} connection attempt(s), all loopback${figures.bytesPerAnswer ? `; ${figures.bytesPerAnswer} SSE bytes per answer` : ''}.`,
      )
    }
  }
  return lines.join('\n')
}

const fromIndex = args.indexOf('--from')
let isFullRun = selected.length === 0 && !quick && !profile && !diagnose
const results = []
let failed = false
let imports
let calculatorFirstCall
if (fromIndex !== -1) {
  // Re-render a saved run: `--from bench/results/raw-….json`.
  const saved = JSON.parse(readFileSync(args[fromIndex + 1], 'utf8'))
  for (const result of saved.results) results.push({ ...result, scenario: scenarios[result.name] })
  imports = saved.imports
  calculatorFirstCall = saved.calculatorFirstCall
  isFullRun = saved.full === true
} else {
  await measureAll()
}

async function measureAll() {
  const { server, baseURL } = await startModelServer()
  const agentMissing = await agentAvailability()
  try {
    console.log(
      `bench: model server at ${baseURL}${agentMissing ? ` — agent variants skipped: ${agentMissing}` : ''}`,
    )
    for (const name of scenarioNames) {
      const result = await runScenario(name, baseURL, agentMissing)
      if (result.variants.floor.error || (result.variants.agent.error && !agentMissing)) failed = true
      results.push(result)
    }
  } finally {
    server.kill('SIGTERM')
  }
  imports = measureImports ? await measureImportTimes() : undefined
  if (imports?.some((entry) => entry.error)) failed = true
  calculatorFirstCall = measureCalculator ? await measureCalculatorFirstCall() : undefined
  if (calculatorFirstCall?.some((entry) => entry.error)) failed = true
  mkdirSync(resultsDirectory, { recursive: true })
  writeFileSync(
    // Only a full run replaces the committed raw-latest.json; partial runs keep their own raw file.
    join(
      resultsDirectory,
      isFullRun ? 'raw-latest.json' : `raw-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    ),
    JSON.stringify({
      full: isFullRun,
      results: results.map(({ scenario: _scenario, ...rest }) => rest),
      imports,
      calculatorFirstCall,
    }),
  )
}

const cpus = os.cpus()
const elapsedSeconds = (performance.now() - startedAt) / 1000
const stamp = new Date().toISOString()
const sections = [
  `# Bench results ${stamp}${fromIndex !== -1 ? ` (re-rendered from ${args[fromIndex + 1]})` : ''}${quick ? ' (quick)' : ''}${profile ? ' (profiled: timings include profiler overhead)' : ''}`,
  '',
  `Node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')} at the end; whole run ${elapsedSeconds.toFixed(0)} s.`,
  'Medians over the measured runs; each variant ran in several fresh processes, alternating (floor, agent, agent, floor, …), each after warm-up runs, with forced GC and a peak-RSS reset before each run. CPU = user + system of the client process (all its threads). Spread = (max − min) ÷ median.',
  '',
  '## Targets',
  '',
  targetRows(results, imports),
  '',
  '## Scenarios',
  '',
  ...results.map(({ name, scenario }) => `- \`${name}\`: ${scenario.title}.`),
  '',
  scenarioTable(results),
  '',
]
if (diagnose) {
  sections.push(
    '## Diagnostics',
    '',
    "`floor-with-signal`: the floor passing an `AbortSignal` to `create()`, as a cancellable app would. `floor-with-fetch-options-signal`: the same signal passed as `{ fetchOptions: { signal } }` (the client then listens to it instead of composing it with `AbortSignal.any`; aborts work the same). `openai-model-only`: `OpenAIModel.stream()` read directly with a signal, no agent (the provider layer alone). `agent-without-signal`: the agent with the loop's signal withheld from the openai client (not a usable configuration: aborts would no longer stop the request).",
    '',
    diagnosticTable(results),
    '',
  )
}
if (imports) sections.push('## Cold imports (fresh process each, median)', '', importTable(imports), '')
if (calculatorFirstCall) {
  sections.push('## Calculator first call (fresh process each)', '', calculatorTable(calculatorFirstCall), '')
}
sections.push('## Self-checks', '', selfChecks(results), '')
if (profile) {
  sections.push('## CPU profiles (self time)', '')
  sections.push(
    'Sampled by the V8 CPU profiler during the measured runs only (no warm-up, no setup), every 125 µs (`BENCH_PROFILE_INTERVAL_US`). "Self time" is time in the function itself; GC and microtask running are listed apart.',
    '',
  )
  for (const { name, scenario, profiles, variants } of results) {
    if (profiles.floor && profiles.agent) {
      const runs = variants.agent.runs.length
      const byToolTrip = scenario.toolCallsPerRun !== undefined
      const units = runs * (byToolTrip ? scenario.toolCallsPerRun : scenario.tokensPerRun)
      sections.push(
        formatComparison(
          name,
          profiles.floor,
          profiles.agent,
          units,
          byToolTrip ? 'tool round trip' : 'token',
        ),
        '',
      )
    }
    for (const [variant, summary] of Object.entries(profiles)) {
      sections.push(formatSummary(`${name} ${variant}`, summary), '')
    }
  }
}
const markdown = sections.join('\n')
mkdirSync(resultsDirectory, { recursive: true })
const fileName = `${stamp.replace(/[:.]/g, '-')}${selected.length > 0 ? `-${selected.join('-')}` : ''}${profile ? '-profile' : ''}${diagnose ? '-diagnose' : ''}.md`
writeFileSync(join(resultsDirectory, fileName), markdown)
// A re-rendered run (--from) has no timing header of its own, so it never replaces latest.md.
if (isFullRun && fromIndex === -1) writeFileSync(join(resultsDirectory, 'latest.md'), markdown)
if (profile) writeFileSync(join(resultsDirectory, 'profile-latest.md'), markdown)
if (diagnose) writeFileSync(join(resultsDirectory, 'diagnose-latest.md'), markdown)
console.log(
  `\n${markdown}\nbench: wrote bench/results/${fileName}${failed ? '\nbench: FAILED (see above)' : ''}`,
)
process.exit(failed ? 1 : 0)
