import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createAgentServer } from '../agent-routes.js'
import { serve } from '../serve.js'
import { mountPlayground, type PlaygroundOptions } from './mount-playground.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function serveWith(
  mount: (app: Hono, options?: PlaygroundOptions) => void,
  options?: PlaygroundOptions,
): Promise<string> {
  const app = new Hono()
  mount(app, options)
  const running = await serve(app, { port: 0, signals: [] })
  cleanups.push(running.close)
  return running.url
}

function decodeAttribute(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
}

describe('mountPlayground', () => {
  it('serves the page and its own script and stylesheet, with a CSP that allows nothing else', async () => {
    const origin = await serveWith(mountPlayground)
    const page = await fetch(`${origin}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await page.text()
    expect(html).toContain('<script type="module" src="/playground-assets/playground.js"></script>')
    expect(html).toContain('<link rel="stylesheet" href="/playground-assets/playground.css" />')
    expect(html).toContain('data-stream-url="/stream/events"')
    expect(html).not.toMatch(/%[A-Z_]+%/)

    const script = await fetch(`${origin}/playground-assets/playground.js`)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const style = await fetch(`${origin}/playground-assets/playground.css`)
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8')
    // No CDN: nothing in the page points at another origin.
    for (const text of [html, await script.text(), await style.text()]) {
      expect(text.length).toBeGreaterThan(100)
      expect(text).not.toMatch(/https?:\/\/|\/\/cdn|@import/)
    }
  })

  it('mounts under a sub-path with a custom route, title and example prompts, all escaped', async () => {
    const origin = await serveWith(mountPlayground, {
      path: '/playground/',
      streamPath: '/agents/main/stream/events',
      title: 'Demo <script>alert(1)</script>',
      examplePrompts: ['Calculate 2+2', 'Say "hi" & <b>bye</b>'],
    })
    const html = await (await fetch(`${origin}/playground`)).text()
    expect(html).toContain('<title>Demo &lt;script&gt;alert(1)&lt;/script&gt;</title>')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('src="/playground/playground-assets/playground.js"')
    expect(html).toContain('data-stream-url="/agents/main/stream/events"')
    const prompts = /data-example-prompts="([^"]*)"/.exec(html)?.[1] ?? ''
    expect(JSON.parse(decodeAttribute(prompts))).toEqual(['Calculate 2+2', 'Say "hi" & <b>bye</b>'])
    expect((await fetch(`${origin}/playground/playground-assets/playground.css`)).status).toBe(200)
    expect((await fetch(`${origin}/`)).status).toBe(404)
  })

  it('is opt-in: an app that does not mount it serves no page', async () => {
    const origin = await serveWith(() => {})
    expect((await fetch(`${origin}/`)).status).toBe(404)
    expect((await fetch(`${origin}/playground-assets/playground.js`)).status).toBe(404)
  })

  it('is served by createAgentServer({ playground }) and posts to the routes under its prefix', async () => {
    const agent = () => {
      throw new Error('no run in this test')
    }
    const plain = createAgentServer({ agent, openapiPath: null })
    const withPlayground = createAgentServer({ agent, prefix: '/agent/', playground: { title: 'Mine' } })
    for (const [app, status] of [
      [plain, 404],
      [withPlayground, 200],
    ] as const) {
      const running = await serve(app, { port: 0, signals: [] })
      cleanups.push(running.close)
      const page = await fetch(`${running.url}/`)
      expect(page.status).toBe(status)
      if (status === 200) {
        const html = await page.text()
        expect(html).toContain('data-stream-url="/agent/stream/events"')
        expect(html).toContain('<title>Mine</title>')
      }
    }
  })

  it('rejects a path that does not start with a slash', () => {
    expect(() => mountPlayground(new Hono(), { path: 'playground' })).toThrow(
      new TypeError('The playground path must start with "/", got "playground".'),
    )
  })

  it('works from the built package: the build embeds the page assets', async () => {
    const built = (await import(
      new URL('../../dist/playground/mount-playground.js', import.meta.url).href
    )) as typeof import('./mount-playground.js')
    const origin = await serveWith(built.mountPlayground)
    const source = await serveWith(mountPlayground)
    for (const path of ['/', '/playground-assets/playground.js', '/playground-assets/playground.css']) {
      const fromDist = await fetch(`${origin}${path}`)
      expect(fromDist.status).toBe(200)
      expect(await fromDist.text()).toBe(await (await fetch(`${source}${path}`)).text())
    }
  })
})
