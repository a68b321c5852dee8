import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const sourceRoot = dirname(fileURLToPath(import.meta.url))
const importPattern = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g

/** Every source file (tests and test support left out), relative to src/. */
function sourceFiles(directory = sourceRoot): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(sourceRoot, path)] : []
  })
}

/** Relative imports of one file, type-only ones included (a type cycle still ties the files together). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(sourceRoot, file), 'utf8')
  return [...text.matchAll(importPattern)].map((match) =>
    relative(sourceRoot, resolve(sourceRoot, dirname(file), match[1]!.replace(/\.js$/, '.ts'))),
  )
}

/** The cycles of the graph, each as the path that closes it. */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (file: string) => {
    state.set(file, 'open')
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles
}

describe('@agent/core source', () => {
  it('has no import cycles, type imports included', () => {
    const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]))
    expect(graph.size).toBeGreaterThan(30)
    expect(findCycles(graph).map((cycle) => cycle.join(' → '))).toEqual([])
  })
})
