import type { Hono } from 'hono'
import { playgroundAssets } from './playground-assets.generated.js'

export interface PlaygroundOptions {
  /** Where the page is served. Default `/`. */
  path?: string
  /** The SSE route the page posts `{ prompt }` to (DESIGN.md §7). Default `/stream/events`. */
  streamPath?: string
  /** The page title. Default `Agent playground`. */
  title?: string
  /** Prompts offered as one-click buttons under the prompt box. */
  examplePrompts?: readonly string[]
  /**
   * The resume route with a `:sessionId` placeholder (`createAgentServer` sets it when `sessionAgent` is set).
   * With it the page sends `{ prompt, sessionId }` (one id per page load), shows an approval card for each
   * interrupt, and resumes the run with the answers. Default none: interrupts are shown but cannot be answered.
   */
  resumePath?: string
}

// The page loads only its own script and stylesheet and talks only to its own origin: no CDN, no inline code.
const pageSecurityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/**
 * Serves the browser playground on `app`: a chat page at `options.path` that streams a run from the
 * agent's SSE route and shows its text, tool calls, reasoning, lifecycle and metrics live. Opt-in:
 * nothing is served unless this is called (or `createAgentServer({ playground: true })`). The page and its
 * two assets are embedded in this package at build time (no file reads: it runs on every runtime).
 */
export function mountPlayground(
  target: Hono<any, any, any> | { hono: Hono<any, any, any> },
  options: PlaygroundOptions = {},
): void {
  // A `ServerApp` (or anything exposing its Hono app), or a plain Hono app.
  const app = 'hono' in target ? target.hono : target
  const pagePath = normalizePath(options.path ?? '/')
  const assetBase = `${pagePath === '/' ? '' : pagePath}/playground-assets`
  const { html, script, style } = playgroundAssets
  const page = html
    .replaceAll('%TITLE%', escapeHtml(options.title ?? 'Agent playground'))
    .replaceAll('%ASSET_BASE%', escapeHtml(assetBase))
    .replaceAll('%STREAM_URL%', escapeHtml(options.streamPath ?? '/stream/events'))
    .replaceAll('%EXAMPLE_PROMPTS%', escapeHtml(JSON.stringify(options.examplePrompts ?? [])))
    .replaceAll('%RESUME_URL%', escapeHtml(options.resumePath ?? ''))

  app.get(pagePath, (context) =>
    context.body(page, 200, { ...pageSecurityHeaders, 'content-type': 'text/html; charset=utf-8' }),
  )
  app.get(`${assetBase}/playground.js`, (context) =>
    context.body(script, 200, {
      ...pageSecurityHeaders,
      'content-type': 'text/javascript; charset=utf-8',
    }),
  )
  app.get(`${assetBase}/playground.css`, (context) =>
    context.body(style, 200, { ...pageSecurityHeaders, 'content-type': 'text/css; charset=utf-8' }),
  )
}

function normalizePath(path: string): string {
  if (!path.startsWith('/')) {
    throw new TypeError(`The playground path must start with "/", got "${path}".`)
  }
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
}
