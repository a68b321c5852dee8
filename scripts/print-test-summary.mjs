// Sums the vitest JSON reports that each package's `test` script writes, and prints one closing line
// ("N passed, N failed, N skipped") so that CI can read the whole suite's outcome. Skipped tests are
// explained on the line before it, from the reasons the tests noted (`recordSkipReason` of @agent/core/testing).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const skippedStatuses = new Set(['skipped', 'pending', 'todo'])

let passed = 0
let failed = 0
let skipped = 0
/** Skipped test counts by reason. */
const reasons = new Map()

for (const folder of packageFolders()) {
  const report = join(folder, 'test-results', 'vitest.json')
  if (!existsSync(report)) continue
  const results = JSON.parse(readFileSync(report, 'utf8'))
  passed += results.numPassedTests
  failed += results.numFailedTests
  const skippedHere = results.numPendingTests + results.numTodoTests
  skipped += skippedHere
  if (skippedHere > 0) explainSkips(folder, results)
}

if (skipped > 0) {
  const parts = [...reasons].map(([reason, count]) => `${count} because ${reason}`)
  console.log(`${skipped} skipped: ${parts.join('; ')}`)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0

/** Every workspace folder that may hold a report: packages/*, examples/*, tests/* and bench. */
function packageFolders() {
  const folders = []
  for (const group of ['packages', 'examples', 'tests']) {
    if (!existsSync(group)) continue
    for (const name of readdirSync(group).sort()) folders.push(join(group, name))
  }
  if (existsSync('bench')) folders.push('bench')
  return folders
}

/**
 * Counts one package's skipped tests under the reasons its test files noted during this run (lines older
 * than the run are stale); a file's skips go to its own reason, else to the package's, else "no reason given".
 */
function explainSkips(folder, results) {
  const noted = join(folder, 'test-results', 'skip-reasons.jsonl')
  const byFile = new Map()
  const packageReasons = new Set()
  if (existsSync(noted)) {
    for (const line of readFileSync(noted, 'utf8').split('\n')) {
      if (line.trim() === '') continue
      const { reason, file, at } = JSON.parse(line)
      if (at < results.startTime) continue
      packageReasons.add(reason)
      if (file !== undefined) byFile.set(resolve(file), reason)
    }
  }
  const fallback = packageReasons.size > 0 ? [...packageReasons].join(' / ') : `no reason given (${folder})`
  for (const file of results.testResults) {
    const count = file.assertionResults.filter((test) => skippedStatuses.has(test.status)).length
    if (count === 0) continue
    const reason = byFile.get(resolve(file.name)) ?? fallback
    reasons.set(reason, (reasons.get(reason) ?? 0) + count)
  }
}
