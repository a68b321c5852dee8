import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recordSkipReason } from '@agent/core/testing'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's Chromium (`apt-get install -y chromium`); `.ci/run` installs it when absent. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** True when the browser tests cannot run here. Under CI=true a missing browser is an error, not a skip. */
export function chromiumMissing(): boolean {
  if (existsSync(chromiumPath)) return false
  if (process.env.CI === 'true') {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}; CI must run "apt-get install -y chromium" before the tests.`,
    )
  }
  console.warn(
    `Skipping the playground browser tests: no Chromium at ${chromiumPath}. Run "apt-get install -y chromium" to run them.`,
  )
  recordSkipReason(`Chromium not installed at ${chromiumPath} (apt-get install -y chromium)`)
  return true
}

export interface LaunchedBrowser {
  context: BrowserContext
  close(): Promise<void>
}

/** Headless Chromium with a fresh profile, no background traffic and no QUIC: it only reaches what the test serves. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const userDataDirectory = await mkdtemp(join(tmpdir(), 'playground-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDirectory, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: { width: 1100, height: 900 },
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(userDataDirectory, { recursive: true, force: true })
    },
  }
}
