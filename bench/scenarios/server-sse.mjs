// `server-sse-200`: many SSE clients of an HTTP server that streams an agent's answer. The measured process
// is the server (HTTP + agent or bare client); the clients run in a separate load process.
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { expectedTextLength, textModelId } from '../lib/wire-script.mjs'
import { createClient } from './floor.mjs'

const prompt = 'Tell me a story about a quick brown fox.'
// The load process reuses its connections between runs; a server closing an idle one at the same moment
// (Node's default is 5 s) would make a request fail with "socket hang up". Both servers keep them longer.
const keepAliveMs = 600_000

function startLoad() {
  const load = fork(fileURLToPath(new URL('../lib/sse-load.mjs', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return {
    send(message) {
      return new Promise((resolve, reject) => {
        load.once('message', (reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)))
        load.send(message)
      })
    },
    close() {
      load.disconnect()
    },
  }
}

function checkAnswers(name, reply, clients, deltas) {
  const problems = []
  if (reply.connections.other.length > 0)
    problems.push(`load contacted ${reply.connections.other.join(', ')}`)
  if (reply.answers.length !== clients) problems.push(`${reply.answers.length} answers`)
  for (const answer of reply.answers) {
    if (answer.status !== 200) problems.push(`status ${answer.status}`)
    else if (answer.dataEvents !== deltas) problems.push(`${answer.dataEvents} data events`)
    else if (answer.textLength !== expectedTextLength(deltas))
      problems.push(`text length ${answer.textLength}`)
    else if (answer.errors > 0 || answer.lastType !== 'result') problems.push(`ended with ${answer.lastType}`)
    if (problems.length > 0) break
  }
  if (problems.length > 0) throw new Error(`self-check failed: ${name}: ${problems.join('; ')}`)
}

/** The floor: a bare node:http server that forwards each text delta from the openai client as one SSE frame. */
function floorServer(client, modelOf) {
  return createServer((request, response) => {
    const parts = []
    request.on('data', (part) => parts.push(part))
    request.on('end', async () => {
      let body
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8'))
      } catch {
        body = undefined
      }
      if (typeof body?.prompt !== 'string') {
        response.writeHead(422, { 'content-type': 'application/json' }).end('{"detail":"prompt is required"}')
        return
      }
      const controller = new AbortController()
      response.on('close', () => controller.abort())
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      let sequence = 0
      let text = ''
      try {
        const stream = await client.chat.completions.create(
          {
            model: modelOf(),
            messages: [{ role: 'user', content: body.prompt }],
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: controller.signal },
        )
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta.content
          if (content) {
            text += content
            sequence++
            response.write(
              `id: ${sequence}\nevent: data\ndata: ${JSON.stringify({ type: 'data', data: content })}\n\n`,
            )
          }
        }
        sequence++
        response.end(`id: ${sequence}\nevent: result\ndata: ${JSON.stringify({ type: 'result', text })}\n\n`)
      } catch (error) {
        response.end(`event: error\ndata: ${JSON.stringify({ message: String(error.message) })}\n\n`)
      }
    })
  })
}

export function serverSseScenario(clients, deltas, options) {
  const variant = (kind) =>
    async function prepare({ baseURL }) {
      const client = createClient(baseURL)
      let tag = 'unset'
      const modelOf = () => textModelId(deltas, tag)
      let url
      let close
      if (kind === 'floor') {
        const server = floorServer(client, modelOf)
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
        server.keepAliveTimeout = keepAliveMs
        url = `http://127.0.0.1:${server.address().port}/stream/events`
        close = () => {
          server.closeAllConnections()
          server.close()
        }
      } else {
        const { createAgent } = await import('./agent.mjs')
        const [{ createAgentServer }, { serve }] = await Promise.all([
          import('@agent/server'),
          import('@agent/server/node'),
        ])
        const app = createAgentServer({
          agent: () => createAgent(client, modelOf(), []),
          openapiPath: null,
          pingIntervalMs: 0,
          maxConcurrentStreams: clients * 2,
        })
        const running = await serve(app, { port: 0, signals: [] })
        running.server.keepAliveTimeout = keepAliveMs
        url = `${running.url}/stream/events`
        close = () => {
          running.server.closeAllConnections()
          running.server.close()
        }
      }
      const load = startLoad()
      return {
        async run(runTag) {
          tag = runTag
          const reply = await load.send({ url, clients, prompt })
          checkAnswers(kind, reply, clients, deltas)
          return {
            deltas: clients * deltas,
            requests: clients,
            bytesPerAnswer: Math.round(reply.bytes / clients),
          }
        },
        async close() {
          load.close()
          close()
        },
      }
    }
  return {
    ...options,
    tokensPerRun: clients * deltas,
    variants: { floor: variant('floor'), agent: variant('agent') },
  }
}
