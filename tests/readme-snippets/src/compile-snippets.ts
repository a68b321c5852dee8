import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { CodeBlock } from './markdown-code.js'

const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..')

/** The snippet's file name in the scratch folder: its README path and line. */
export function snippetFileName(snippet: Pick<CodeBlock, 'file' | 'line'>): string {
  return `${snippet.file.replaceAll(/[/\\]/g, '__').replace(/\.md$/, '')}-L${snippet.line}.ts`
}

/**
 * Type-checks each snippet as a module of its own with the repository's TypeScript (7), in one `tsc` run over
 * `folder` (which must sit inside this package, so that the packages resolve). Returns tsc's diagnostics by
 * snippet file name; a snippet without diagnostics compiled.
 */
export async function compileSnippets(snippets: CodeBlock[], folder: string): Promise<Map<string, string[]>> {
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  // `export {}` makes each snippet a module (top-level await, no names shared between snippets).
  for (const snippet of snippets)
    writeFileSync(join(folder, snippetFileName(snippet)), `${snippet.code}\nexport {}\n`)
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      extends: relative(folder, join(repositoryRoot, 'tsconfig.base.json')),
      compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false },
      include: ['*.ts'],
    }),
  )
  const tsc = join(createRequire(import.meta.url).resolve('typescript/package.json'), '..', 'bin', 'tsc')
  const output = await promisify(execFile)(process.execPath, [tsc, '-p', folder, '--pretty', 'false']).then(
    (done) => done.stdout,
    (failed: { stdout?: string }) => failed.stdout ?? String(failed),
  )
  const diagnostics = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of output.split('\n')) {
    const located = /^(.+?\.ts)\((\d+),\d+\): (.*)$/.exec(line)
    if (located !== null) {
      const name = located[1]!.split(/[/\\]/).at(-1)!
      current = diagnostics.get(name) ?? []
      diagnostics.set(name, current)
      current.push(`line ${located[2]}: ${located[3]}`)
    } else if (line.trim() !== '' && current !== undefined) current.push(line)
    else if (line.trim() !== '') diagnostics.set('(tsc)', [...(diagnostics.get('(tsc)') ?? []), line])
  }
  return diagnostics
}
