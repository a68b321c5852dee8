import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real `redis-server` on a free loopback port, for tests; `stop()` and `start()` simulate an outage. */
export interface TestRedis {
  readonly port: number
  readonly url: string
  start(): Promise<void>
  stop(): Promise<void>
}

const binary = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * Starts a Redis on a free loopback port, stopped when the process exits. `persistent`: an append-only
 * file synced on every write in a temporary folder, so that a restart keeps what was written.
 */
export async function startTestRedis(options: { persistent?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort()
  const storage = options.persistent
    ? [
        '--dir',
        await mkdtemp(join(tmpdir(), 'agent-redis-')),
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ]
    : ['--appendonly', 'no']
  let child: ChildProcess | undefined
  const start = async () => {
    const started = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...storage, '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = started
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      }
      started.stdout!.on('data', onData)
      started.stderr!.on('data', onData)
      started.once('error', (error) => {
        clearTimeout(timer)
        reject(new Error(`Could not run ${binary} (apt-get install redis-server): ${error.message}`))
      })
      started.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}: ${output}`))
      })
    })
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve())
      running.kill('SIGKILL')
    })
  }
  process.once('exit', () => child?.kill('SIGKILL'))
  await start()
  return { port, url: `redis://127.0.0.1:${port}`, start, stop }
}
