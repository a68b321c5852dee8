// Who calls a hot function: `node profile-callers.mjs <profile dir or file> <functionName>…`.
// Sums the function's self time over the profiles by its calling chain (four frames up).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const [target, ...names] = process.argv.slice(2)
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((file) => file.endsWith('.cpuprofile'))
      .map((file) => join(target, file))
  : [target]

const frameName = ({ functionName, url, lineNumber }) =>
  `${functionName || '(anonymous)'}@${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`

for (const name of names) {
  const chains = new Map()
  let total = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'))
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
    const parents = new Map()
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
    const selfMicros = new Map()
    profile.samples.forEach((id, index) => {
      selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
    })
    for (const node of profile.nodes) {
      if (node.callFrame.functionName !== name) continue
      const micros = selfMicros.get(node.id) ?? 0
      total += micros
      const chain = []
      for (
        let parent = parents.get(node.id);
        parent !== undefined && chain.length < 4;
        parent = parents.get(parent)
      ) {
        chain.push(frameName(nodes.get(parent).callFrame))
      }
      const key = chain.join(' < ')
      chains.set(key, (chains.get(key) ?? 0) + micros)
    }
  }
  console.log(`${name}: self ${(total / 1000).toFixed(1)} ms over ${files.length} profile(s)`)
  for (const [chain, micros] of [...chains].sort((left, right) => right[1] - left[1]).slice(0, 8)) {
    console.log(`  ${(micros / 1000).toFixed(1)} ms  ${chain}`)
  }
}
