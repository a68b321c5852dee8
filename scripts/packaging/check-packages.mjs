// `pnpm check:packages`: packs every public package, then checks each folder and tarball against the
// rules in package-problems.mjs, `publint --strict` and `attw --profile esm-only`. Exits non-zero on any problem.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packPackages } from './pack-packages.mjs'
import { sourceProblems, tarballProblems } from './package-problems.mjs'
import { publicPackages, rootDirectory, run } from './workspace.mjs'

const work = mkdtempSync(join(tmpdir(), 'agent-check-packages-'))
const bin = (name) => join(rootDirectory, 'node_modules', '.bin', name)
try {
  const packages = publicPackages()
  const expectedEngines = packages.find(({ manifest }) => manifest.name === '@agent/core')?.manifest.engines
    ?.node
  const tarballs = new Map(
    (await packPackages(join(work, 'tarballs'))).map((tarball) => [tarball.name, tarball]),
  )
  let failures = 0
  for (const item of packages) {
    const { filename, files } = tarballs.get(item.manifest.name)
    const unpacked = join(work, 'unpacked', item.manifest.name)
    mkdirSync(unpacked, { recursive: true })
    await run('tar', ['xzf', filename, '-C', unpacked])
    const problems = [
      ...sourceProblems(item, expectedEngines),
      ...tarballProblems(join(unpacked, 'package'), files),
      ...(await toolProblems('publint', [bin('publint'), '--strict', filename])),
      ...(await toolProblems('attw', [bin('attw'), '--profile', 'esm-only', '--no-color', filename])),
    ]
    failures += problems.length
    console.log(problems.length === 0 ? `ok   ${item.manifest.name}` : `FAIL ${item.manifest.name}`)
    for (const problem of problems) console.log(`     - ${problem}`)
  }
  console.log(`packages: ${packages.length} checked, ${failures} problems`)
  process.exitCode = failures === 0 ? 0 : 1
} finally {
  rmSync(work, { recursive: true, force: true })
}

async function toolProblems(name, [command, ...args]) {
  try {
    await run(command, args, { capture: true, timeoutMs: 120_000 })
    return []
  } catch (error) {
    return [`${name}: ${error.message}`]
  }
}
