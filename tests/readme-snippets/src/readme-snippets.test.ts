import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { barePnpmCommands, codeBlocks, isTypeScript, partialMarker, readmeFiles } from './markdown-code.js'

const root = resolve(import.meta.dirname, '..', '..', '..')
const folder = resolve(import.meta.dirname, '..', 'test-results', 'snippets')
const files = readmeFiles(root)
const snippets = files.flatMap((file) => codeBlocks(root, file)).filter(isTypeScript)
const checked = snippets.filter((snippet) => !snippet.info.includes(partialMarker))

/** The snippet's file name in the scratch folder: its README path and line. */
const fileName = (snippet: { file: string; line: number }) =>
  `${snippet.file.replaceAll(/[/\\]/g, '__').replace(/\.md$/, '')}-L${snippet.line}.ts`

/** tsc's diagnostics, by snippet file name. */
const diagnostics = new Map<string, string[]>()

beforeAll(async () => {
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  for (const snippet of checked) {
    // `export {}` makes each snippet a module of its own (top-level await, no shared names).
    writeFileSync(join(folder, fileName(snippet)), `${snippet.code}\nexport {}\n`)
  }
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../../tsconfig.base.json',
      compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false },
      include: ['*.ts'],
    }),
  )
  // The repository's TypeScript (7), run once over every snippet.
  const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc')
  const output = await promisify(execFile)(process.execPath, [tsc, '-p', folder, '--pretty', 'false'], {
    cwd: folder,
  }).then(
    (done) => done.stdout,
    (failed: { stdout?: string }) => failed.stdout ?? String(failed),
  )
  let current: string[] | undefined
  for (const line of output.split('\n')) {
    const located = /^(.+?\.ts)\((\d+),\d+\): (.*)$/.exec(line)
    if (located !== null) {
      const name = located[1]!.split(/[/\\]/).at(-1)!
      current = diagnostics.get(name) ?? []
      diagnostics.set(name, current)
      current.push(`line ${located[2]}: ${located[3]}`)
    } else if (line.trim() !== '' && current !== undefined) current.push(line)
  }
}, 120_000)

describe('every ts snippet in the READMEs and docs compiles against the packages', () => {
  it('finds the snippets', () => {
    expect(files).toContain('README.md')
    expect(checked.length).toBeGreaterThan(10)
  })

  for (const snippet of checked) {
    it(`${snippet.file}:${snippet.line}`, () => {
      // Lines are the snippet's own: line 1 is the line after the fence.
      expect(diagnostics.get(fileName(snippet)) ?? []).toEqual([])
    })
  }
})

describe('READMEs use commands a fresh machine has', () => {
  for (const file of files) {
    it(`${file} runs pnpm as npx -y pnpm@12.4.2, never bare`, () => {
      expect(barePnpmCommands(root, file)).toEqual([])
    })
  }
})
