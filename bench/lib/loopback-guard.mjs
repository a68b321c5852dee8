// Records every outgoing TCP connection attempt of this process and fails loudly on any that is not
// loopback. Node publishes each client socket on the `net.client.socket` diagnostics channel (undici and
// node:http both go through net.connect), and the socket reports each address it tries.
import diagnosticsChannel from 'node:diagnostics_channel'

const attempts = { loopback: 0, other: [] }

function isLoopback(address) {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1'
}

function record(address) {
  if (isLoopback(address)) attempts.loopback++
  else {
    attempts.other.push(address)
    process.stderr.write(`bench: refused a connection to ${address}: only loopback may be contacted\n`)
    process.exit(3)
  }
}

diagnosticsChannel.subscribe('net.client.socket', ({ socket }) => {
  socket.once('lookup', (_error, address) => {
    if (address) record(address)
  })
  socket.once('connectionAttempt', (address) => record(address))
  // A connect to a literal IP emits neither event on older lines: check the peer once connected.
  socket.once('connect', () => {
    if (socket.remoteAddress && !isLoopback(socket.remoteAddress)) record(socket.remoteAddress)
  })
})

/** How many loopback connection attempts this process made, and any other address (always empty). */
export function connectionAttempts() {
  return { loopback: attempts.loopback, other: [...attempts.other] }
}
