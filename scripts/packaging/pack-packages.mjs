// Builds and packs every public package into one folder, as `pnpm publish` would: `workspace:` ranges are
// replaced by the versions being released. `node scripts/packaging/pack-packages.mjs <folder> [--dry-run]`:
// with --dry-run, `npm publish --dry-run` then runs on each tarball (`pnpm release:dry-run`).
import { mkdirSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { pnpmCommand, publicPackages, rootDirectory, run } from './workspace.mjs'

/** Returns one `{ name, version, filename, files }` per public package (`files`: paths in the tarball). */
export async function packPackages(destination) {
  const packages = publicPackages()
  const filters = packages.flatMap(({ manifest }) => ['--filter', manifest.name])
  const [command, ...prefix] = pnpmCommand
  await run(command, [...prefix, 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'])
  rmSync(destination, { recursive: true, force: true })
  mkdirSync(destination, { recursive: true })
  const output = await run(
    command,
    [...prefix, '-r', ...filters, 'pack', '--pack-destination', destination, '--json'],
    {
      capture: true,
    },
  )
  const packed = JSON.parse(output)
  if (packed.length !== packages.length) {
    throw new Error(`packed ${packed.length} packages, expected ${packages.length}`)
  }
  return packed.map(({ name, version, filename, files }) => ({
    name,
    version,
    filename,
    files: files.map((file) => file.path),
  }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const destination = resolve(rootDirectory, process.argv[2] ?? 'release')
  for (const { filename } of await packPackages(destination)) {
    console.log(filename)
    // A path, not a bare name: npm would read `release/x.tgz` as a GitHub repository.
    if (process.argv.includes('--dry-run'))
      await run('npm', ['publish', '--dry-run', '--access', 'public', filename])
  }
}
