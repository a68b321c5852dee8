// What the packaging scripts share: where the repository is, which packages are published, and how to
// run a command with a deadline (a hung install or child must fail the check, not stall CI).
import { spawnSync } from 'node:child_process'
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

/** Runs a command to its end (output shown, or captured with `capture`); throws on failure or timeout. */
export function run(command, args, { cwd = rootDirectory, env, capture = false, timeoutMs = 300_000 } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: env ? { ...process.env, ...env } : process.env,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.error || result.status !== 0) {
    const reason = result.error ? result.error.message : `exit code ${result.status}`
    const output = capture ? `\n${result.stdout}${result.stderr}` : ''
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${reason}${output}`)
  }
  return result.stdout
}
