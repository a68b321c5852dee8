// CommonJS consumer: `require()`s every entry point of every installed @agent/* package (Node loads ES
// modules from CommonJS since 22.12), then `import()`s each, and checks both give the same exports.
const { readFileSync } = require('node:fs')

const manifest = JSON.parse(readFileSync('package.json', 'utf8'))
const names = Object.keys(manifest.dependencies).filter((name) => name.startsWith('@agent/'))

async function main() {
  let entries = 0
  for (const name of names) {
    const installed = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'))
    for (const entry of Object.keys(installed.exports ?? { '.': null })) {
      const specifier = entry === '.' ? name : `${name}/${entry.slice(2)}`
      const required = require(specifier)
      const imported = await import(specifier)
      const keys = Object.keys(required).sort().join()
      if (keys === '' || keys !== Object.keys(imported).sort().join()) {
        throw new Error(`${specifier}: require() gave [${keys}], import() gave [${Object.keys(imported)}]`)
      }
      entries++
    }
  }
  console.log(
    `require(esm) ok on Node ${process.version}: ${entries} entry points of ${names.length} packages`,
  )
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
