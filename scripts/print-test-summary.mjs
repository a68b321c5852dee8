// Sums the vitest JSON reports that each package's `test` script writes, and prints one closing line
// ("N passed, N failed, N skipped") so that CI can read the whole suite's outcome.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

let passed = 0
let failed = 0
let skipped = 0
for (const group of ['packages', 'examples', 'bench']) {
  if (!existsSync(group)) continue
  const folders = group === 'bench' ? ['.'] : readdirSync(group)
  for (const folder of folders) {
    const report = join(group, folder, 'test-results', 'vitest.json')
    if (!existsSync(report)) continue
    const results = JSON.parse(readFileSync(report, 'utf8'))
    passed += results.numPassedTests
    failed += results.numFailedTests
    skipped += results.numPendingTests + results.numTodoTests
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0
