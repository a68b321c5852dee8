import { builtinModules } from 'node:module'
import { build, type Plugin } from 'esbuild'

/** Node's built-in modules, with and without the `node:` prefix. */
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])

export interface WebBundle {
  code: string
  /** `importer -> node:module` for every Node built-in the graph reached (left external). */
  nodeImports: string[]
}

/** Records (and leaves out) every import of a Node built-in, so that a test can name who imported it. */
function recordNodeImports(found: string[]): Plugin {
  return {
    name: 'record-node-imports',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) => {
        if (!nodeBuiltins.has(args.path)) return undefined
        found.push(`${args.importer} -> ${args.path}`)
        return { path: args.path, external: true }
      })
    },
  }
}

/**
 * Bundles a module graph as a browser or worker would load it (the `browser` / `workerd` export
 * conditions, no Node built-ins provided), minified unless told otherwise.
 */
export async function bundleForWeb(
  entry: { path: string } | { contents: string; resolveDir: string },
  options: { minify?: boolean; conditions?: string[]; external?: string[] } = {},
): Promise<WebBundle> {
  const nodeImports: string[] = []
  const result = await build({
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'ts' } }),
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: options.conditions ?? ['browser'],
    minify: options.minify ?? true,
    legalComments: 'none',
    external: options.external ?? [],
    logLevel: 'silent',
    plugins: [recordNodeImports(nodeImports)],
  })
  return { code: result.outputFiles[0]!.text, nodeImports }
}
