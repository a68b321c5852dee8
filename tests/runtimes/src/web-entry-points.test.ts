// The web-standard entry points must not reach `node:` (or a bare Node built-in) through any import,
// static or dynamic, so that they bundle for browsers and workers. The Node-only subpaths do, which
// shows the check can fail.

import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { bundleForWeb } from './test-support/bundle.ts'

const resolveDir = new URL('.', import.meta.url).pathname
const bundleOf = (specifier: string, external?: string[]) =>
  bundleForWeb({ contents: `export * from '${specifier}'`, resolveDir }, { external })

describe('web-standard entry points', () => {
  for (const specifier of [
    '@agent/core',
    '@agent/openai',
    '@agent/server',
    '@agent/bedrock',
    '@agent/multiagent',
  ]) {
    it(`${specifier} imports nothing from Node`, async () => {
      expect((await bundleOf(specifier)).nodeImports).toEqual([])
    })
  }

  for (const specifier of ['@agent/core/file-session', '@agent/server/node']) {
    it(`${specifier} is the Node-only subpath, and the check sees it`, async () => {
      expect((await bundleOf(specifier)).nodeImports).not.toEqual([])
    })
  }

  // zod is core's peer dependency, imported lazily (only for tools given a plain JSON Schema): an app
  // that uses zod has it already, so core alone is measured without it, and with it for reference.
  it('@agent/core alone is under 40 kB minified and gzipped', async () => {
    const gzipped = async (external?: string[]) => {
      const { code } = await bundleOf('@agent/core', external)
      return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length }
    }
    const alone = await gzipped(['zod'])
    const withZod = await gzipped()
    console.log(
      `@agent/core bundle: ${alone.minified} B minified, ${alone.gzipped} B min+gzip ` +
        `(with zod: ${withZod.minified} B, ${withZod.gzipped} B)`,
    )
    expect(alone.gzipped).toBeLessThan(40 * 1024)
  })
})
