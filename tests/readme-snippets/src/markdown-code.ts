import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The file, relative to the repository root. */
  file: string
  /** The line of the opening fence (1-based). */
  line: number
  /** The info string's words: `ts partial` is `['ts', 'partial']`. */
  info: string[]
  code: string
}

/**
 * The Markdown files a reader meets: the root README, every package's and example's README, and docs/.
 * Found by walking the folders, so that a new README is checked without anyone listing it.
 */
export function readmeFiles(root: string): string[] {
  const files = [join(root, 'README.md')]
  for (const group of ['packages', 'examples', 'tests']) {
    const folder = join(root, group)
    if (!existsSync(folder)) continue
    for (const name of readdirSync(folder).sort()) {
      const readme = join(folder, name, 'README.md')
      if (existsSync(readme)) files.push(readme)
    }
  }
  const docs = join(root, 'docs')
  if (existsSync(docs)) {
    for (const entry of readdirSync(docs, { recursive: true, encoding: 'utf8' }).sort())
      if (entry.endsWith('.md')) files.push(join(docs, entry))
  }
  return files.filter((file) => existsSync(file)).map((file) => relative(root, file))
}

/** The fenced code blocks of one Markdown file (``` fences; an unclosed fence runs to the end). */
export function codeBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let index = 0; index < lines.length; index++) {
    const fence = /^(\s*)```(.*)$/.exec(lines[index]!)
    if (fence === null) continue
    const start = index
    const body: string[] = []
    while (++index < lines.length && !/^\s*```\s*$/.test(lines[index]!)) body.push(lines[index]!)
    const info = fence[2]!.trim().split(/\s+/).filter(Boolean)
    blocks.push({ file, line: start + 1, info, code: body.join('\n') })
  }
  return blocks
}

/** The marker that says a `ts` snippet is meant to be partial: ```` ```ts partial ````. */
export const partialMarker = 'partial'

/** TypeScript snippets: `ts` or `typescript` blocks. */
export function isTypeScript(block: CodeBlock): boolean {
  return block.info[0] === 'ts' || block.info[0] === 'typescript'
}

/** Shell commands, and inline code spans, that start with a bare `pnpm` (not on a fresh machine). */
export function barePnpmCommands(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8')
  const commands: string[] = []
  const shellBlocks = codeBlocks(root, file).filter((block) =>
    ['sh', 'bash', 'shell', 'console', ''].includes(block.info[0] ?? ''),
  )
  const candidates = [
    ...shellBlocks.flatMap((block) => block.code.split('\n')),
    ...[...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!),
  ]
  // A command word: at the start, or after && ; |, past any VARIABLE=value assignments.
  const barePnpm = /(?:^|&&|;|\|)\s*(?:[A-Z_][A-Z0-9_]*=\S*\s+)*pnpm\s/
  for (const candidate of candidates) if (barePnpm.test(candidate)) commands.push(candidate.trim())
  return commands
}
