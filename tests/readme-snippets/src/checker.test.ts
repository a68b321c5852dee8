import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { compileSnippets, snippetFileName } from './compile-snippets.js'
import { barePnpmCommands, codeBlocks, isTypeScript, partialMarker } from './markdown-code.js'

// A README of our own, to show that the checks catch what they are for.
// Inside the package (so that its packages resolve), under a folder a fresh clone does not have yet.
const resultsFolder = resolve(import.meta.dirname, '..', 'test-results')
mkdirSync(resultsFolder, { recursive: true })
const root = mkdtempSync(join(resultsFolder, 'checker-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
writeFileSync(
  join(root, 'README.md'),
  [
    '# Sample',
    'Run `pnpm build`, or `npx -y pnpm@12.4.2 test`.',
    '```ts',
    "import { Agent } from '@agent/core'",
    "const agent: Agent = new Agent({ maxCycles: 'many' })",
    '```',
    '```ts partial',
    'agent.invoke(prompt)',
    '```',
    '```ts',
    "import { Agent } from '@agent/core'",
    'console.log(new Agent({ callbackHandler: null }).messages.length)',
    '```',
    '```sh',
    'OPENAI_API_KEY=x pnpm --filter @agent/example-openai start',
    'npx -y pnpm@12.4.2 example openai',
    '```',
  ].join('\n'),
)

it('reports a snippet that does not compile, passes one that does, and leaves out a partial one', async () => {
  const blocks = codeBlocks(root, 'README.md').filter(isTypeScript)
  expect(blocks.map((block) => [block.line, block.info])).toEqual([
    [3, ['ts']],
    [7, ['ts', partialMarker]],
    [10, ['ts']],
  ])
  const complete = blocks.filter((block) => !block.info.includes(partialMarker))
  const diagnostics = await compileSnippets(complete, join(root, 'snippets'))
  expect(diagnostics.get(snippetFileName(complete[0]!))).toEqual([
    expect.stringMatching(/^line 2: error TS2322: Type 'string' is not assignable to type 'number'/),
  ])
  expect(diagnostics.get(snippetFileName(complete[1]!))).toBeUndefined()
}, 60_000)

it('finds bare pnpm commands in shell blocks and inline code, and accepts npx -y pnpm@12.4.2', () => {
  expect(barePnpmCommands(root, 'README.md')).toEqual([
    'OPENAI_API_KEY=x pnpm --filter @agent/example-openai start',
    'pnpm build',
  ])
})
