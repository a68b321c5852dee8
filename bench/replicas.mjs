// `node bench/replicas.mjs [N…]` (after a build): N concurrent conversations over two @agent/server replicas on
// one Redis (sessions, locks and run streams in Redis) against one replica with the in-memory store, in the same
// run. Each answer is 500 scripted text deltas. Measures time to first event (p50, p99), events per second,
// Redis commands per streamed token (INFO total_commands_processed, which counts the commands inside scripts
// and MULTI too) and the peak RSS of each replica. Writes bench/results/replicas-latest.md. Not a timed test.
import './lib/loopback-guard.mjs'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { createClient } from 'redis'

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((value) => value > 0)
const conversationCounts = sizes.length > 0 ? sizes : [100, 500, 1000]
const tokens = 500
const children = []
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

function start(command, commandArguments, env, ready) {
  const child = spawn(command, commandArguments, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const value = ready(line)
      if (value !== undefined) resolve(value)
    })
  })
}

const redisPort = await freePort()
await start(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  {},
  (line) => (line.includes('Ready to accept connections') ? true : undefined),
)
const redisUrl = `redis://127.0.0.1:${redisPort}`
const redis = createClient({ url: redisUrl })
await redis.connect()

const replica = (store) =>
  start(
    process.execPath,
    [new URL('./lib/replica-server.mjs', import.meta.url).pathname],
    { STORE: store, REDIS_URL: redisUrl, TOKENS: String(tokens) },
    (line) => (line.startsWith('{') ? JSON.parse(line).url : undefined),
  )
const [replicaA, replicaB, memory] = await Promise.all([
  replica('redis'),
  replica('redis'),
  replica('memory'),
])

const httpAgent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })

/** One conversation's stream: when its first event came, how many events, whether it ended with `result`. */
function converse(url, sessionId, startedAt) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ prompt: 'go', sessionId })
    const outgoing = request(
      `${url}/stream/events`,
      {
        method: 'POST',
        agent: httpAgent,
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        let firstEventMs
        let events = 0
        let tail = ''
        let ended = false
        response.setEncoding('utf8')
        response.on('data', (text) => {
          const frames = text.split('\nevent: ').length - 1 + (text.startsWith('event: ') ? 1 : 0)
          if (frames > 0 && firstEventMs === undefined) firstEventMs = performance.now() - startedAt
          events += frames
          if ((tail + text).includes('event: result')) ended = true
          tail = text.slice(-20)
        })
        response.on('end', () => resolve({ status: response.statusCode, firstEventMs, events, ended }))
        response.on('error', (error) => resolve({ status: 0, error: error.code, events: 0, ended: false }))
      },
    )
    // Counted as a failed conversation (the table says how many), not a crash of the bench.
    outgoing.on('error', (error) => resolve({ status: 0, error: error.code, events: 0, ended: false }))
    outgoing.end(body)
  })
}

const percentile = (values, fraction) => {
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]
}
const commandsProcessed = async () =>
  Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))[1])
const peakRss = async (url) => (await (await fetch(`${url}/bench/peak-rss`)).json()).peakRss

async function measure(label, urls, count, round) {
  for (const url of urls) await peakRss(url)
  const commandsBefore = await commandsProcessed()
  const startedAt = performance.now()
  const results = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      converse(urls[index % urls.length], `bench-${round}-${index}`, startedAt),
    ),
  )
  const elapsedMs = performance.now() - startedAt
  const commands = (await commandsProcessed()) - commandsBefore
  const failed = results.filter((result) => result.status !== 200 || !result.ended).length
  if (failed > 0) {
    const reasons = {}
    for (const result of results)
      if (result.status !== 200 || !result.ended)
        reasons[result.error ?? result.status] = (reasons[result.error ?? result.status] ?? 0) + 1
    console.error(label, count, 'failed:', reasons)
  }
  const events = results.reduce((sum, result) => sum + result.events, 0)
  const firsts = results.map((result) => result.firstEventMs ?? elapsedMs)
  const rss = []
  for (const url of urls) rss.push(await peakRss(url))
  return {
    label,
    count,
    failed,
    p50: percentile(firsts, 0.5),
    p99: percentile(firsts, 0.99),
    eventsPerSecond: events / (elapsedMs / 1000),
    eventsPerConversation: events / count,
    commandsPerToken: commands / (count * tokens),
    peakRssMb: rss.map((bytes) => (bytes / 1048576).toFixed(0)).join(' / '),
    elapsedMs,
  }
}

const rows = []
let round = 0
for (const count of conversationCounts) {
  // Warm-up, not measured.
  await measure('warm-up', [replicaA, replicaB], Math.min(count, 50), `warm-${round++}`)
  await measure('warm-up', [memory], Math.min(count, 50), `warm-${round++}`)
  await redis.configResetStat()
  const row = await measure('2 replicas, Redis', [replicaA, replicaB], count, round++)
  const stats = await redis.info('commandstats')
  const calls = (name) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
  // The per-batch commands (write, announce, read); the rest is per conversation (session, lock, run setup).
  row.streamingCommandsPerToken = (calls('xadd') + calls('publish') + calls('xrange')) / (count * tokens)
  row.commandsPerConversation = (row.commandsPerToken * tokens).toFixed(0)
  rows.push(row)
  if (process.env.BENCH_COMMANDSTATS) console.log(stats)
  rows.push(await measure('1 replica, in-memory', [memory], count, round++))
  console.log(rows.at(-2), rows.at(-1))
}

const lines = [
  '# Replicas on Redis vs one in-memory replica',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${(await import('node:os')).cpus().length} cores · ${tokens} text deltas per answer, scripted in the replica (no model socket) · Redis ${/redis_version:(\S+)/.exec(await redis.info('server'))[1]} on loopback`,
  '',
  '| conversations | setup | failed | first event p50 (ms) | first event p99 (ms) | events/s | events per conversation | Redis commands per token (all) | of which per batch (XADD, PUBLISH, XRANGE) | peak RSS per replica (MB) | wall (ms) |',
  '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.count} | ${row.label} | ${row.failed} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.eventsPerSecond.toFixed(0)} | ${row.eventsPerConversation.toFixed(0)} | ${row.label.includes('Redis') ? row.commandsPerToken.toFixed(3) : '—'} | ${row.label.includes('Redis') ? row.streamingCommandsPerToken.toFixed(3) : '—'} | ${row.peakRssMb} | ${row.elapsedMs.toFixed(0)} |`,
  ),
  '',
  "Redis commands are counted by the server (`total_commands_processed`): each command inside a MULTI or a Lua script counts, and so do the session saves, the session locks and the readers' stream reads and pub/sub. The client, the two Redis replicas, the in-memory replica and redis-server share the machine's cores.",
  '',
]
writeFileSync(new URL('./results/replicas-latest.md', import.meta.url), `${lines.join('\n')}`)
console.log(lines.join('\n'))
await redis.close()
process.exit(0)
