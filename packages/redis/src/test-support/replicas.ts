import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const repositoryRoot = join(packageRoot, '..', '..')
const nodeBinary = existsSync(join(repositoryRoot, 'node_modules', '.bin', 'node'))
  ? join(repositoryRoot, 'node_modules', '.bin', 'node')
  : process.execPath
const script = fileURLToPath(new URL('./replica.mjs', import.meta.url))

/** A server replica in its own process (`replica.mjs`), and the JSON lines it printed. */
export interface Replica {
  readonly url: string
  readonly child: ChildProcess
  readonly lines: Record<string, unknown>[]
  /** Resolves with the first printed line (already printed or to come) that matches. */
  line(matches: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

export interface ReplicaOptions {
  redisUrl: string
  leaseMs?: number
  tokens?: number
  tokenDelayMs?: number
  graceMs?: number
}

export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  if (!existsSync(join(packageRoot, 'dist', 'index.js'))) {
    throw new Error('Build @agent/redis first (pnpm turbo run build --filter=@agent/redis).')
  }
  const child = spawn(nodeBinary, [script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      LEASE_MS: String(options.leaseMs ?? 1000),
      TOKENS: String(options.tokens ?? 50),
      TOKEN_DELAY_MS: String(options.tokenDelayMs ?? 20),
      GRACE_MS: String(options.graceMs ?? 5000),
    },
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const lines: Record<string, unknown>[] = []
  let waiters: (() => void)[] = []
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>)
    } catch {
      return
    }
    const current = waiters
    waiters = []
    for (const wake of current) wake()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const line = (matches: (line: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find(matches)
        if (found !== undefined) return resolve(found)
        if (child.exitCode !== null || child.signalCode !== null) {
          return reject(new Error(`The replica exited (${child.exitCode ?? child.signalCode}): ${stderr}`))
        }
        waiters.push(check)
      }
      exited.then(check)
      check()
    })
  process.once('exit', () => child.kill('SIGKILL'))
  const started = await line(
    (entry) => typeof entry.url === 'string' || typeof entry.startupError === 'string',
  )
  if (typeof started.startupError === 'string') throw new Error(started.startupError)
  return {
    url: started.url as string,
    child,
    lines,
    line,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await exited
      }
    },
  }
}
