import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { compileSnippets, snippetFileName } from './compile-snippets.js'
import { barePnpmCommands, codeBlocks, isTypeScript, partialMarker, readmeFiles } from './markdown-code.js'

const root = resolve(import.meta.dirname, '..', '..', '..')
const files = readmeFiles(root)
const snippets = files.flatMap((file) => codeBlocks(root, file)).filter(isTypeScript)
const checked = snippets.filter((snippet) => !snippet.info.includes(partialMarker))

let diagnostics = new Map<string, string[]>()
beforeAll(async () => {
  diagnostics = await compileSnippets(checked, resolve(import.meta.dirname, '..', 'test-results', 'snippets'))
}, 120_000)

describe('every ts snippet in the READMEs and docs compiles against the packages', () => {
  it('finds the READMEs and their snippets, and tsc ran', () => {
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'docs/getting-started.md', 'packages/core/README.md']),
    )
    expect(checked.length).toBeGreaterThan(20)
    expect(diagnostics.get('(tsc)')).toBeUndefined()
  })

  for (const snippet of checked) {
    // Line numbers in a failure are the snippet's own: line 1 is the line after the fence.
    it(`${snippet.file}:${snippet.line}`, () => {
      expect(diagnostics.get(snippetFileName(snippet)) ?? []).toEqual([])
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
