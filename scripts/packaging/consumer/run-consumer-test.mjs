// `pnpm test:consumer`: what a user gets from npm. Packs every public package, installs the tarballs with
// npm into fresh projects outside the repository (third-party dependencies from the npm registry), compiles
// a TypeScript app under `nodenext` (with @types/node) and a browser project (DOM library, no @types/node),
// then runs the app and a CommonJS `require()` of every entry point on Node 22 and Node 24, against a
// loopback server that speaks the Chat Completions streaming format.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packPackages } from '../pack-packages.mjs'
import { readJson, rootDevDependencyVersion, run } from '../workspace.mjs'
import { startOpenAIChatServer } from './openai-chat-server.mjs'

const here = new URL('.', import.meta.url).pathname
const browserPackages = ['@agent/core', '@agent/openai']
const typescript = `typescript@${rootDevDependencyVersion('typescript')}`
const typesNode = `@types/node@${rootDevDependencyVersion('@types/node')}`

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

/** A Node app: the README's install line with tarballs for names, then the TypeScript build. */
async function nodeProject(tarballs) {
  const directory = project('node-app', ['app.ts', 'load-every-export.cjs', 'tsconfig.json'])
  await npm(directory, ['install', ...tarballs.map(({ filename }) => filename), 'zod'])
  await npm(directory, ['install', '--save-dev', typescript, typesNode])
  writeFileSync(join(directory, 'every-export.ts'), everyExportModule(directory, tarballs))
  await run(join(directory, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: directory })
  return directory
}

async function browserProject(tarballs) {
  const directory = project('browser-app', ['browser.ts'])
  copyFileSync(join(here, 'tsconfig.browser.json'), join(directory, 'tsconfig.json'))
  await npm(directory, ['install', ...tarballs.map(({ filename }) => filename), 'zod'])
  await npm(directory, ['install', '--save-dev', typescript])
  if (existsSync(join(directory, 'node_modules', '@types', 'node'))) {
    throw new Error(
      '@types/node reached the browser project through a dependency: its check would prove nothing',
    )
  }
  await run(join(directory, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: directory })
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

/** Node 22 and Node 24 from the npm registry's `node` package (this process's Node when it is 24). */
function nodeCommands() {
  const current = process.versions.node.startsWith('24.') ? [[process.execPath]] : [['npx', '-y', 'node@24']]
  return [['npx', '-y', 'node@22'], ...current]
}
