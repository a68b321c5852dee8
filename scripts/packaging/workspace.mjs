// What the packaging scripts share: where the repository is, which packages are published, and how to
// run a command with a deadline (a hung install or child must fail the check, not stall CI).
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const rootDirectory = new URL('../..', import.meta.url).pathname

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'))
}

const rootManifest = readJson(join(rootDirectory, 'package.json'))

/** The pnpm the repository pins (`packageManager`), run through npx as the README does. */
export const pnpmCommand = ['npx', '-y', rootManifest.packageManager]

/** The version of one of the root's pinned devDependencies (the consumer test installs the same tools). */
export function rootDevDependencyVersion(name) {
  return rootManifest.devDependencies[name]
}

/**
 * Every package under packages/* that is not private: a new folder there is packed, checked and
 * installed by the consumer test without editing any script.
 */
export function publicPackages() {
  const packagesDirectory = join(rootDirectory, 'packages')
  return readdirSync(packagesDirectory)
    .map((folder) => join(packagesDirectory, folder))
    .filter((directory) => existsSync(join(directory, 'package.json')))
    .map((directory) => ({ directory, manifest: readJson(join(directory, 'package.json')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))
}

/**
 * Runs a command to its end, its output shown (or returned with `capture`); rejects on failure or when
 * it outlives `timeoutMs` (then it is killed). Asynchronous, so that a server in this process keeps serving.
 */
export function run(command, args, { cwd = rootDirectory, env, capture = false, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    })
    let output = ''
    let errors = ''
    child.stdout?.on('data', (piece) => (output += piece))
    child.stderr?.on('data', (piece) => (errors += piece))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const fail = (reason) =>
      reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${reason}\n${output}${errors}`))
    child.on('error', (error) => {
      clearTimeout(timer)
      fail(error.message)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else fail(signal ? `killed by ${signal} (deadline ${timeoutMs} ms)` : `exit code ${code}`)
    })
  })
}
