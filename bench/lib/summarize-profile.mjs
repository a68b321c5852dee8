// Summarizes V8 .cpuprofile files (from `--cpu-prof`): self time by function and by owner (our packages,
// the openai client, Node internals, GC), as shares of the busy (non-idle) samples.
// `node summarize-profile.mjs <file.cpuprofile>… [--top N]`
import { readFileSync } from 'node:fs'

export function ownerOf(url, functionName) {
  if (functionName === '(garbage collector)') return 'GC'
  if (functionName === '(program)') return '(program: VM, not JS)'
  if (functionName === '(idle)') return '(idle)'
  if (/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?openai\//.test(url)) return 'openai client'
  if (/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(hono|@hono)\//.test(url)) return 'hono'
  if (url.includes('/node_modules/')) return 'other dependencies'
  if (url.includes('/packages/core/')) return '@agent/core'
  if (url.includes('/packages/openai/')) return '@agent/openai'
  if (url.includes('/packages/server/')) return '@agent/server'
  if (/\/bench\/(scenarios|lib)\//.test(url)) return 'bench (scenario code)'
  if (url === 'node:inspector') return '(profiler)'
  if (url.startsWith('node:')) return 'node internals'
  if (url === '') return 'native / builtins'
  return 'other'
}

function shortUrl(url) {
  const packageMatch = /\/packages\/([^/]+)\/(?:dist|src)\/(.*)$/.exec(url)
  if (packageMatch) return `packages/${packageMatch[1]}/${packageMatch[2]}`
  const moduleMatch = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url)
  if (moduleMatch) return moduleMatch[1]
  return url.replace(/^file:\/\/.*\/bench\//, 'bench/')
}

export function summarizeProfiles(files) {
  const selfByFunction = new Map()
  const selfByOwner = new Map()
  let busy = 0
  let idle = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'))
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
    const selfMicros = new Map()
    for (let index = 0; index < profile.samples.length; index++) {
      const id = profile.samples[index]
      selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
    }
    for (const [id, micros] of selfMicros) {
      const { callFrame } = nodes.get(id)
      const owner = ownerOf(callFrame.url, callFrame.functionName)
      if (owner === '(idle)' || owner === '(profiler)') {
        idle += micros
        continue
      }
      busy += micros
      const key = `${callFrame.functionName || '(anonymous)'}  ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`
      const entry = selfByFunction.get(key) ?? { key, owner, micros: 0 }
      entry.micros += micros
      selfByFunction.set(key, entry)
      selfByOwner.set(owner, (selfByOwner.get(owner) ?? 0) + micros)
    }
  }
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    owners: [...selfByOwner]
      .map(([owner, micros]) => ({ owner, share: micros / busy, ms: micros / 1000 }))
      .sort((a, b) => b.ms - a.ms),
    functions: [...selfByFunction.values()]
      .map((entry) => ({ ...entry, share: entry.micros / busy, ms: entry.micros / 1000 }))
      .sort((a, b) => b.ms - a.ms),
  }
}

export function formatSummary(title, summary, top = 25) {
  const percent = (share) => `${(share * 100).toFixed(1)}%`
  const lines = [
    `#### ${title}`,
    '',
    `busy ${summary.busyMs.toFixed(0)} ms (idle ${summary.idleMs.toFixed(0)} ms)`,
    '',
  ]
  lines.push('| owner | self ms | share |', '|---|---:|---:|')
  for (const owner of summary.owners)
    lines.push(`| ${owner.owner} | ${owner.ms.toFixed(1)} | ${percent(owner.share)} |`)
  lines.push('', '| function (self time) | owner | self ms | share |', '|---|---|---:|---:|')
  for (const entry of summary.functions.slice(0, top)) {
    lines.push(`| \`${entry.key}\` | ${entry.owner} | ${entry.ms.toFixed(1)} | ${percent(entry.share)} |`)
  }
  return lines.join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const topIndex = args.indexOf('--top')
  const top = topIndex === -1 ? 25 : Number(args.splice(topIndex, 2)[1])
  process.stdout.write(`${formatSummary(args.join(', '), summarizeProfiles(args), top)}\n`)
}

/** Where the agent's extra time goes: self time per unit (token or tool round trip), agent minus floor. */
export function formatComparison(title, floor, agent, units, unitName) {
  const perUnit = (ms) => (ms * 1000) / units
  const floorOwners = new Map(floor.owners.map((owner) => [owner.owner, owner.ms]))
  const agentOwners = new Map(agent.owners.map((owner) => [owner.owner, owner.ms]))
  const names = new Set([...floorOwners.keys(), ...agentOwners.keys()])
  const lines = [
    `#### ${title}: agent − floor, self time in µs per ${unitName}`,
    '',
    `busy: floor ${perUnit(floor.busyMs).toFixed(2)}, agent ${perUnit(agent.busyMs).toFixed(2)}, difference ${perUnit(agent.busyMs - floor.busyMs).toFixed(2)} µs per ${unitName}`,
    '',
    '| owner | floor | agent | agent − floor |',
    '|---|---:|---:|---:|',
  ]
  const rows = [...names].map((name) => {
    const floorMs = floorOwners.get(name) ?? 0
    const agentMs = agentOwners.get(name) ?? 0
    return { name, floorMs, agentMs, difference: agentMs - floorMs }
  })
  rows.sort((left, right) => right.difference - left.difference)
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${perUnit(row.floorMs).toFixed(2)} | ${perUnit(row.agentMs).toFixed(2)} | ${perUnit(row.difference).toFixed(2)} |`,
    )
  }
  const floorFunctions = new Map(floor.functions.map((entry) => [entry.key, entry.ms]))
  const agentFunctions = new Map(agent.functions.map((entry) => [entry.key, entry]))
  const functionRows = [...new Set([...floorFunctions.keys(), ...agentFunctions.keys()])]
    .map((key) => {
      const agentMs = agentFunctions.get(key)?.ms ?? 0
      const floorMs = floorFunctions.get(key) ?? 0
      return {
        key,
        owner: agentFunctions.get(key)?.owner ?? '',
        difference: agentMs - floorMs,
        agentMs,
        floorMs,
      }
    })
    .sort((left, right) => right.difference - left.difference)
    .slice(0, 15)
  lines.push(
    '',
    '| function (largest increases) | owner | floor | agent | agent − floor |',
    '|---|---|---:|---:|---:|',
  )
  for (const row of functionRows) {
    lines.push(
      `| \`${row.key}\` | ${row.owner} | ${perUnit(row.floorMs).toFixed(2)} | ${perUnit(row.agentMs).toFixed(2)} | ${perUnit(row.difference).toFixed(2)} |`,
    )
  }
  return lines.join('\n')
}
