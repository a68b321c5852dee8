import type { Socket } from 'node:net'
import type { FetchLike } from '@modelcontextprotocol/client'
import { Agent, buildConnector, fetch as undiciFetch } from 'undici'
import { withBody } from './bounded-fetch.js'

let agent: Agent | undefined
let exchangesInFlight = 0
let keepAlive: ReturnType<typeof setInterval> | undefined

/**
 * `fetch` whose sockets do not keep the process alive: the SDK holds a GET stream open for server
 * notifications, which would otherwise stop an app that never closed its client from exiting. A request
 * still waiting for its answer (any other method) keeps the process alive until its body ends.
 */
export const unreferencedFetch: FetchLike = async (url, init) => {
  agent ??= createAgent()
  const release = init?.method === 'GET' ? undefined : hold()
  try {
    const response = (await undiciFetch(url, {
      ...(init as object),
      dispatcher: agent,
    })) as unknown as Response
    return release === undefined ? response : withBody(response, { onEnd: release })
  } catch (error) {
    release?.()
    throw error
  }
}

function hold(): () => void {
  exchangesInFlight++
  keepAlive ??= setInterval(() => {}, 2 ** 30)
  let released = false
  return () => {
    if (released) return
    released = true
    exchangesInFlight--
    if (exchangesInFlight === 0) {
      clearInterval(keepAlive)
      keepAlive = undefined
    }
  }
}

function createAgent(): Agent {
  const connect = buildConnector({})
  return new Agent({
    connect(options, callback) {
      connect(options, (error, socket) => {
        if (socket !== null) {
          // undici refs a socket while a request is pending, the GET stream included: keep them all unreferenced.
          const unreferenced = socket as Socket
          unreferenced.unref()
          unreferenced.ref = () => unreferenced
        }
        if (error === null) callback(null, socket!)
        else callback(error, null)
      })
    },
  })
}
