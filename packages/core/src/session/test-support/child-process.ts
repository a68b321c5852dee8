import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url))
const repositoryRoot = join(packageRoot, '..', '..')

/** The built package the child processes import, as a user's program would. */
export const distIndex = join(packageRoot, 'dist', 'index.js')
export const distTesting = join(packageRoot, 'dist', 'testing', 'index.js')
export const distFileSession = join(packageRoot, 'dist', 'file-session.js')

/** Node 24 from the repository root (the brief's toolchain), else the Node running the tests. */
const nodeBinary = existsSync(join(repositoryRoot, 'node_modules', '.bin', 'node'))
  ? join(repositoryRoot, 'node_modules', '.bin', 'node')
  : process.execPath

export function assertBuilt(): void {
  if (!existsSync(distIndex) || !existsSync(distTesting) || !existsSync(distFileSession)) {
    throw new Error(
      `Build @agent/core first (pnpm turbo run build --filter=@agent/core): ${distIndex} is missing.`,
    )
  }
}

/** Writes an ES module script whose `$core`, `$file-session` and `$testing` imports point at the built package. */
export async function writeScript(directory: string, name: string, source: string): Promise<string> {
  const path = join(directory, name)
  await writeFile(
    path,
    source
      .replaceAll('$core', pathToFileURL(distIndex).href)
      .replaceAll('$file-session', pathToFileURL(distFileSession).href)
      .replaceAll('$testing', pathToFileURL(distTesting).href),
  )
  return path
}

export interface ChildOutcome {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `node script ...args` in a new process and resolves when it exits. */
export function runNode(script: string, args: string[]): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
