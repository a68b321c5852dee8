// tsc copies only TypeScript output: the playground's HTML, JS and CSS are copied into dist next to it.
import { cpSync } from 'node:fs'

cpSync(
  new URL('../src/playground/assets/', import.meta.url),
  new URL('../dist/playground/assets/', import.meta.url),
  {
    recursive: true,
  },
)
