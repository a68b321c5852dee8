// `npx -y pnpm@12.4.2 example <folder> [arguments…]`: builds what the example under examples/<folder> needs,
// then runs its `start` script there with the arguments. An unknown folder fails with the list of examples.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const examplesFolder = join(import.meta.dirname, '..', 'examples')
const examples = readdirSync(examplesFolder)
  .filter((folder) => existsSync(join(examplesFolder, folder, 'package.json')))
  .sort()

const [name, ...exampleArguments] = process.argv.slice(2)
if (name === undefined || !examples.includes(name)) {
  const said = name === undefined ? 'Name an example.' : `There is no example "${name}".`
  console.error(`${said} Examples: ${examples.join(', ')}.`)
  console.error('Run one with: npx -y pnpm@12.4.2 example <name>')
  process.exit(1)
}

const folder = join(examplesFolder, name)
const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
if (manifest.scripts?.start === undefined) {
  console.error(`examples/${name} has no "start" script.`)
  process.exit(1)
}

/** Runs a command to its end with the terminal attached; a failure ends this script with its code. */
function run(command, commandArguments, options = {}) {
  const outcome = spawnSync(command, commandArguments, { stdio: 'inherit', ...options })
  if (outcome.error !== undefined) throw outcome.error
  if (outcome.status !== 0) process.exit(outcome.status ?? 1)
}

// The example and every workspace package it depends on (the `...` of turbo's filter).
const root = join(examplesFolder, '..')
run(
  join(root, 'node_modules', '.bin', 'turbo'),
  ['run', 'build', `--filter=${manifest.name}...`, '--output-logs=errors-only'],
  {
    cwd: root,
    shell: process.platform === 'win32',
  },
)

// pnpm sets npm_execpath to itself when it runs this script; outside pnpm, npx fetches the same version.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: this script runs outside turbo, so no cache depends on it
const pnpm = process.env.npm_execpath
const [command, prefix] =
  pnpm === undefined || !/pnpm/.test(pnpm)
    ? ['npx', ['-y', 'pnpm@12.4.2']]
    : pnpm.endsWith('js')
      ? [process.execPath, [pnpm]]
      : [pnpm, []]
run(command, [...prefix, '--silent', 'run', 'start', ...exampleArguments], {
  cwd: folder,
  shell: process.platform === 'win32',
})
