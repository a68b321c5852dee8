// What every published package must have, checked on its folder and on its packed tarball (unpacked).
// docs/architecture.md ("Adding a package") lists the same rules for people.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { readJson } from './workspace.mjs'

/** The README line every package carries, with the Node floor its `engines` states. */
export function esmOnlyLine(nodeFloor) {
  return `ESM-only, for Node ≥ ${nodeFloor}`
}

/** `>=22.19.0` → `22.19`, the form the READMEs use. */
export function nodeFloor(engines) {
  const match = /^>=(\d+)\.(\d+)\.\d+$/.exec(engines ?? '')
  return match ? `${match[1]}.${match[2]}` : undefined
}

export function sourceProblems({ directory, manifest }, expectedEngines) {
  const problems = []
  if (manifest.type !== 'module') problems.push('"type" must be "module" (the packages are ESM-only)')
  if (manifest.license !== 'MIT') problems.push('"license" must be "MIT"')
  if (!existsSync(join(directory, 'LICENSE'))) problems.push('no LICENSE file (copy the root one)')
  if (manifest.engines?.node !== expectedEngines) {
    problems.push(
      `"engines.node" is ${JSON.stringify(manifest.engines?.node)}, every package has "${expectedEngines}"`,
    )
  }
  problems.push(...exportsProblems(manifest.exports))
  const readme = join(directory, 'README.md')
  const line = esmOnlyLine(nodeFloor(expectedEngines))
  if (!existsSync(readme)) problems.push('no README.md')
  else if (!readFileSync(readme, 'utf8').includes(line)) problems.push(`README.md lacks the line "${line} …"`)
  return problems
}

function exportsProblems(exports) {
  if (!exports || typeof exports !== 'object') return ['"exports" must map each entry point']
  return Object.entries(exports).flatMap(([entry, conditions]) => {
    if (typeof conditions !== 'object') return [`exports["${entry}"] must list "types" and "import"`]
    const keys = Object.keys(conditions)
    const problems = []
    if (keys[0] !== 'types') problems.push(`exports["${entry}"] must start with "types"`)
    if (!conditions.import) problems.push(`exports["${entry}"] has no "import"`)
    if (conditions.require) problems.push(`exports["${entry}"] has "require": the packages ship no CommonJS`)
    return problems
  })
}

/** `unpacked` is the tarball's `package/` folder; `files` its paths. */
export function tarballProblems(unpacked, files) {
  const problems = []
  const shipped = new Set(files)
  for (const required of ['LICENSE', 'README.md', 'package.json']) {
    if (!shipped.has(required)) problems.push(`the tarball lacks ${required}`)
  }
  for (const file of files) {
    if (file.endsWith('.tsbuildinfo')) problems.push(`the tarball ships ${file}`)
    if (/\.test\.[cm]?[jt]s$/.test(file) || file.includes('test-support/'))
      problems.push(`the tarball ships ${file}`)
    if (file.endsWith('.map')) problems.push(...mapProblems(unpacked, file, shipped))
  }
  const packedManifest = readFileSync(join(unpacked, 'package.json'), 'utf8')
  if (packedManifest.includes('workspace:'))
    problems.push('the packed package.json still has "workspace:" ranges')
  return problems
}

/** A source map is only useful when the sources it names are in the tarball. */
function mapProblems(unpacked, file, shipped) {
  const map = readJson(join(unpacked, file))
  const base = join(dirname(file), map.sourceRoot ?? '')
  return map.sources
    .map((source) => normalize(join(base, source)))
    .filter((source) => !shipped.has(source))
    .map((source) => `${file} names ${source}, which the tarball does not ship`)
}
