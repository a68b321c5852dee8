// `pnpm test:consumer`: what a user gets from npm. Packs every public package, installs the tarballs with
// npm (the root README's install lines, tarballs for names) into fresh projects outside the repository (third-party dependencies from the npm registry), compiles
// a TypeScript app under `nodenext` (with @types/node) and a browser project (DOM library, no @types/node),
// then runs the app and a CommonJS `require()` of every entry point on Node 22 and Node 24, against a
// loopback server that speaks the Chat Completions streaming format.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packPackages } from '../pack-packages.mjs'
import { publicPackages, readJson, rootDevDependencyVersion, rootDirectory, run } from '../workspace.mjs'
import { startOpenAIChatServer } from './openai-chat-server.mjs'

const here = new URL('.', import.meta.url).pathname
const browserPackages = ['@agent/core', '@agent/openai']

const work = mkdtempSync(join(tmpdir(), 'agent-consumer-'))
try {
  const tarballs = await packPackages(join(work, 'tarballs'))
  const nodeApp = await nodeProject(tarballs)
  await browserProject(tarballs.filter(({ name }) => browserPackages.includes(name)))
  const server = await startOpenAIChatServer()
  try {
    for (const [command, ...prefix] of nodeCommands()) {
      await run(command, [...prefix, 'dist/app.js', server.baseURL, server.helloURL], {
        cwd: nodeApp,
        timeoutMs: 120_000,
      })
      await run(command, [...prefix, 'load-every-export.cjs'], { cwd: nodeApp, timeoutMs: 120_000 })
    }
  } finally {
    await server.close()
  }
  console.log('consumer test ok')
} finally {
  rmSync(work, { recursive: true, force: true })
}

/** A Node app: the README's install lines with tarballs for names, then the TypeScript build. */
async function nodeProject(tarballs) {
  const directory = project('node-app', ['app.ts', 'load-every-export.cjs', 'tsconfig.json'])
  const { packages, tools } = readmeInstallLines()
  await npm(directory, ['install', ...withTarballs(packages, tarballs)])
  await npm(directory, ['install', ...tools.map((name) => (name.startsWith('-') ? name : pinned(name)))])
  writeFileSync(join(directory, 'every-export.ts'), everyExportModule(directory, tarballs))
  await run(join(directory, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: directory })
  return directory
}

async function browserProject(tarballs) {
  const directory = project('browser-app', ['browser.ts'])
  copyFileSync(join(here, 'tsconfig.browser.json'), join(directory, 'tsconfig.json'))
  await npm(directory, ['install', ...tarballs.map(({ filename }) => filename), 'zod'])
  await npm(directory, ['install', '--save-dev', pinned('typescript')])
  if (existsSync(join(directory, 'node_modules', '@types', 'node'))) {
    throw new Error(
      '@types/node reached the browser project through a dependency: its check would prove nothing',
    )
  }
  await run(join(directory, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: directory })
}

/**
 * The root README's two install lines (`npm install @agent/…` and `npm install --save-dev …`), as
 * argument lists after `npm install`.
 */
function readmeInstallLines() {
  const lines = readFileSync(join(rootDirectory, 'README.md'), 'utf8').split('\n')
  const packagesLine = lines.find((line) => line.startsWith('npm install @agent/'))
  const toolsLine = lines.find((line) => line.startsWith('npm install --save-dev '))
  if (!packagesLine || !toolsLine) throw new Error('README.md lost its install lines')
  const words = (line) => line.split('#')[0].trim().split(/\s+/).slice(2)
  return { packages: words(packagesLine), tools: words(toolsLine) }
}

/** Each `@agent/…` name becomes its tarball; the line must name every public package. */
function withTarballs(names, tarballs) {
  const missing = tarballs.filter(({ name }) => !names.includes(name)).map(({ name }) => name)
  if (missing.length > 0) throw new Error(`README.md's install line lacks ${missing.join(', ')}`)
  return names.map((name) => {
    if (!name.startsWith('@agent/')) return name
    const tarball = tarballs.find((candidate) => candidate.name === name)
    if (!tarball) throw new Error(`README.md's install line names ${name}, which is not a public package`)
    return tarball.filename
  })
}

/** The tools at the versions the repository itself builds with. */
function pinned(name) {
  const version = rootDevDependencyVersion(name)
  if (!version) throw new Error(`README.md installs ${name}, which the root package.json does not pin`)
  return `${name}@${version}`
}

function project(name, files) {
  const directory = join(work, name)
  mkdirSync(directory)
  writeFileSync(
    join(directory, 'package.json'),
    `${JSON.stringify({ name, private: true, type: 'module' })}\n`,
  )
  for (const file of files) copyFileSync(join(here, file), join(directory, file))
  return directory
}

function npm(directory, args) {
  return run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: directory,
    capture: true,
  })
}

/** Re-exports every entry point of every package, so that each one's types compile (new packages too). */
function everyExportModule(directory, tarballs) {
  const lines = []
  for (const { name } of tarballs) {
    const { exports } = readJson(join(directory, 'node_modules', name, 'package.json'))
    for (const entry of Object.keys(exports)) {
      const specifier = entry === '.' ? name : `${name}/${entry.slice(2)}`
      lines.push(`export * as entry${lines.length} from '${specifier}'`)
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * The oldest Node the packages claim (`engines` of @agent/core, e.g. 22.19.0) and Node 24 (this process's when
 * it is 24, as under the repository's scripts), from the npm registry's `node` package.
 */
function nodeCommands() {
  const core = publicPackages().find(({ manifest }) => manifest.name === '@agent/core')
  const floor = /^>=(\d+\.\d+\.\d+)$/.exec(core.manifest.engines.node)?.[1]
  if (!floor) throw new Error("@agent/core's engines.node is not a plain `>=x.y.z`")
  const current = process.versions.node.startsWith('24.') ? [[process.execPath]] : [['npx', '-y', 'node@24']]
  return [['npx', '-y', `node@${floor}`], ...current]
}
