// The SSE load generator of `server-sse-200`, in its own process so its CPU is not the server's.
// On each IPC message `{ url, clients, prompt }` it opens that many concurrent POSTs asking for
// `text/event-stream`, reads every body to the end and replies with what it received.
import './loopback-guard.mjs'
import { Agent, request } from 'node:http'
import { connectionAttempts } from './loopback-guard.mjs'

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })

function post(url, prompt) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ prompt })
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          accept: 'text/event-stream',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const parts = []
        response.on('data', (part) => parts.push(part))
        response.on('end', () =>
          resolve({ status: response.statusCode, text: Buffer.concat(parts).toString('utf8') }),
        )
        response.on('error', reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

/** Reads the frames of one SSE body: text of the `data` events, how many there were, the last event type. */
function readFrames(text) {
  let dataEvents = 0
  let textLength = 0
  let lastType
  let errors = 0
  for (const frame of text.split('\n\n')) {
    let type
    let data
    for (const line of frame.split('\n')) {
      if (line.startsWith('event: ')) type = line.slice(7)
      else if (line.startsWith('data: ')) data = line.slice(6)
    }
    if (type === undefined) continue
    lastType = type
    if (type === 'error') errors++
    if (type === 'data') {
      dataEvents++
      textLength += JSON.parse(data).data.length
    }
  }
  return { dataEvents, textLength, lastType, errors }
}

process.on('message', async ({ url, clients, prompt }) => {
  try {
    const bodies = await Promise.all(Array.from({ length: clients }, () => post(url, prompt)))
    let bytes = 0
    const answers = bodies.map(({ status, text }) => {
      bytes += text.length
      return { status, ...readFrames(text) }
    })
    process.send({ answers, bytes, connections: connectionAttempts() })
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) })
  }
})
process.on('disconnect', () => process.exit(0))
