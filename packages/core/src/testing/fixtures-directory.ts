import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { recordSkipReason } from './skip-reasons.js'

/**
 * Where the recorded provider traffic lives: `AGENT_FIXTURES_DIR`, else `../shared/fixtures` beside the
 * workspace root. Tests read it in place. Returns `undefined` when it is missing, except under `CI=true`,
 * where a missing folder is an error, so that CI never passes by skipping.
 */
export function fixturesDirectory(from: string = process.cwd()): string | undefined {
  const configured = process.env.AGENT_FIXTURES_DIR
  if (configured) {
    if (existsSync(configured)) return resolve(configured)
    return missing(`AGENT_FIXTURES_DIR=${configured} does not exist`)
  }
  let directory = resolve(from)
  while (true) {
    if (existsSync(join(directory, 'pnpm-workspace.yaml'))) {
      const candidate = resolve(directory, '..', 'shared', 'fixtures')
      if (existsSync(candidate)) return candidate
      return missing(`no fixtures folder at ${candidate}`)
    }
    const parent = dirname(directory)
    if (parent === directory) return missing(`no workspace root above ${from}`)
    directory = parent
  }
}

/** The message to show when fixture tests skip. */
export const fixturesSkipMessage =
  'Recorded provider fixtures not found: set AGENT_FIXTURES_DIR or place them at ../shared/fixtures; these tests are skipped.'

/** The reason the suite's summary gives for those skips. */
const fixturesSkipReason = 'recorded provider traffic not found (set AGENT_FIXTURES_DIR, see README)'

function missing(why: string): undefined {
  if (process.env.CI === 'true')
    throw new Error(`Recorded provider fixtures are required under CI=true: ${why}.`)
  console.warn(`${fixturesSkipMessage} (${why})`)
  recordSkipReason(fixturesSkipReason)
  return undefined
}
