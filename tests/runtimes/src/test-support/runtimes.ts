import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { bundleForWeb } from './bundle.ts'

const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const binary = (name: string) => `${packageRoot}node_modules/.bin/${name}`

/** A runtime serving the scenario handler (see programs/scenarios.ts) on a loopback URL. */
export interface ServedRuntime {
  url: string
  stop(): Promise<void>
}

/** Only what the programs need: no provider keys leak in from the developer's shell. */
const childEnvironment = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' }

const nativeCommands = {
  bun: (baseURL: string) => [binary('bun'), 'run', 'src/programs/serve-native.ts', baseURL],
  deno: (baseURL: string) => [
    binary('deno'),
    'run',
    '--no-lock',
    '--allow-net=127.0.0.1',
    '--allow-read',
    '--allow-env',
    'src/programs/serve-native.ts',
    baseURL,
  ],
}

/** Starts Bun or Deno on programs/serve-native.ts and waits for its `listening <url>` line. */
export function startNative(runtime: keyof typeof nativeCommands, baseURL: string): Promise<ServedRuntime> {
  const [command, ...args] = nativeCommands[runtime](baseURL)
  const child = spawn(command!, args, {
    cwd: packageRoot,
    env: childEnvironment,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${runtime} did not start (${why}):\n${output}`))
    const timer = setTimeout(() => fail('no listening line within 30 s'), 30_000)
    child.on('error', (error) => fail(error.message))
    child.on('exit', (code) => fail(`exit code ${code}`))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = /listening (\S+)/.exec(output)
      if (match === null) return
      clearTimeout(timer)
      resolve({ url: match[1]!, stop: () => stopChild(child) })
    })
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Bundles programs/worker.ts for workerd and serves it with Miniflare (workerd from npm). */
export async function startWorkerd(baseURL: string): Promise<ServedRuntime> {
  const bundle = await bundleForWeb(
    { path: `${packageRoot}src/programs/worker.ts` },
    { conditions: ['workerd', 'worker', 'browser'] },
  )
  if (bundle.nodeImports.length > 0) throw new Error(`The worker imports Node: ${bundle.nodeImports}`)
  const miniflare = new Miniflare({
    // Listed, not scanned: Miniflare's scanner rejects resolve-model's dynamic `import(packageName)`.
    modules: [{ type: 'ESModule', path: 'worker.js', contents: bundle.code }],
    compatibilityDate: '2026-07-01',
    // Without it workerd never aborts `request.signal` when the client goes.
    compatibilityFlags: ['enable_request_signal'],
    bindings: { OPENAI_BASE_URL: baseURL },
    host: '127.0.0.1',
    port: 0,
  })
  const url = (await miniflare.ready).href.replace(/\/$/, '')
  return { url, stop: () => miniflare.dispose() }
}
