// Starts a Redis (unless REDIS_URL names one) and two replicas on it, begins a stream on replica A, drops the
// connection, and resumes on replica B with Last-Event-ID: the answer arrives whole, without gap or repeat.
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'

const children: ChildProcess[] = []
const stopAll = () => {
  for (const child of children) child.kill()
}
process.on('exit', stopAll)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Runs `command` and resolves with the first stdout line that `accept` returns a value for. */
function startProcess<Value>(
  command: string,
  commandArguments: string[],
  env: Record<string, string>,
  accept: (line: string) => Value | undefined,
): Promise<Value> {
  const child = spawn(command, commandArguments, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready.`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const value = accept(line)
      if (value !== undefined) resolve(value)
    })
  })
}

let redisUrl = process.env.REDIS_URL
if (redisUrl === undefined) {
  const port = await freePort()
  await startProcess(
    process.env.REDIS_SERVER ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {},
    (line) => (line.includes('Ready to accept connections') ? true : undefined),
  )
  redisUrl = `redis://127.0.0.1:${port}`
  console.log(`Redis on ${redisUrl}`)
}

const replica = (name: string) =>
  startProcess(
    process.execPath,
    [new URL('./replica.ts', import.meta.url).pathname],
    { REDIS_URL: redisUrl!, NAME: name },
    (line) => (line.startsWith('{') ? (JSON.parse(line) as { url: string }).url : undefined),
  )
const [a, b] = await Promise.all([replica('A'), replica('B')])
console.log(`Replica A on ${a}, replica B on ${b}`)

interface Event {
  id: string
  type: string
  data: string
}

/** Reads SSE events until the stream ends or `stopAfter` events arrived. */
async function readEvents(response: Response, stopAfter = Number.POSITIVE_INFINITY): Promise<Event[]> {
  const events: Event[] = []
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const bytes of response.body!) {
    buffered += decoder.decode(bytes, { stream: true })
    let end = buffered.indexOf('\n\n')
    while (end >= 0) {
      const fields = Object.fromEntries(
        buffered
          .slice(0, end)
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
      )
      buffered = buffered.slice(end + 2)
      end = buffered.indexOf('\n\n')
      if (fields.data !== undefined) {
        const event = JSON.parse(fields.data) as { type: string; data?: string }
        events.push({ id: fields.id, type: event.type, data: event.type === 'data' ? event.data! : '' })
      }
      if (events.length >= stopAfter) return events
    }
  }
  return events
}

const dropped = new AbortController()
const first = await fetch(`${a}/stream/events`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
  body: JSON.stringify({ prompt: 'Tell me about replicas', sessionId: `demo-${Date.now()}` }),
  signal: dropped.signal,
})
const before = await readEvents(first, 8)
dropped.abort()
const lastEventId = before.at(-1)!.id
console.log(`A sent ${before.length} events, then the connection dropped at ${lastEventId}`)

const resumed = await fetch(`${b}/stream/events`, {
  headers: { accept: 'text/event-stream', 'last-event-id': lastEventId },
})
const after = await readEvents(resumed)
console.log(`B resumed with ${after.length} more events, ending with "${after.at(-1)?.type}"`)

const sequences = [...before, ...after].map((event) => Number(event.id.split(':')[1]))
const contiguous = sequences.every((sequence, index) => sequence === index + 1)
console.log(`Sequences 1..${sequences.length} ${contiguous ? 'without gap or repeat' : 'BROKEN'}`)
console.log(`Answer: ${[...before, ...after].map((event) => event.data).join('')}`)
stopAll()
process.exit(contiguous && after.at(-1)?.type === 'result' ? 0 : 1)
