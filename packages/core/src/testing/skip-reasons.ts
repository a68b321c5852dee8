import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Notes why the calling test file skips tests, for the suite's closing line: one JSON line in
 * `test-results/skip-reasons.jsonl` of the package under test (the working directory vitest runs in),
 * which `scripts/print-test-summary.mjs` reads beside vitest's JSON report.
 */
export function recordSkipReason(reason: string): void {
  const folder = join(process.cwd(), 'test-results')
  mkdirSync(folder, { recursive: true })
  const line = JSON.stringify({ reason, file: callingTestFile(), at: Date.now() })
  appendFileSync(join(folder, 'skip-reasons.jsonl'), `${line}\n`)
}

/** The test file on the call stack, so that the summary can count that file's skipped tests under the reason. */
function callingTestFile(): string | undefined {
  const stack = new Error().stack ?? ''
  const file = /(?:file:\/\/)?(\/[^\s():]+\.(?:test|spec)\.[cm]?[jt]sx?)/.exec(stack)?.[1]
  return file === undefined ? undefined : decodeURI(file)
}
