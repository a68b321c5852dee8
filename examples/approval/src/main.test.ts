import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openAIEnvironment } from '@agent/loopback-providers'
import {
  chatEventStream,
  LoopbackOpenAIServer,
  type RecordedRequest,
  type Reply,
} from '@agent/loopback-providers/openai'
import { expect, it, onTestFinished } from 'vitest'

interface ChatMessage {
  role: string
  content?: string | null
}

/** A model that asks to delete the file the prompt names, then reports what the tool said. */
function deletingModel(request: RecordedRequest): Reply {
  const messages = (request.body as { messages: ChatMessage[] }).messages
  const last = messages.at(-1)!
  const chunk = (delta: object, finish: string | null = null) => ({
    id: 'chatcmpl-approval',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'loopback',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })
  if (last.role === 'tool') {
    return {
      sse: chatEventStream([
        chunk({ role: 'assistant', content: `Tool said: ${last.content}` }),
        chunk({}, 'stop'),
      ]),
    }
  }
  const path = /delete (\S+)/i.exec(String(last.content))?.[1] ?? 'nothing'
  const call = {
    index: 0,
    id: `call_${path}`,
    type: 'function',
    function: { name: 'delete_file', arguments: JSON.stringify({ path }) },
  }
  return {
    sse: chatEventStream([
      chunk({ role: 'assistant', content: null, tool_calls: [call] }),
      chunk({}, 'tool_calls'),
    ]),
  }
}

async function setUp() {
  const server = (await LoopbackOpenAIServer.start()).respondWith(deletingModel)
  const folder = await mkdtemp(join(tmpdir(), 'approval-example-'))
  onTestFinished(async () => {
    await server.close()
    await rm(folder, { recursive: true, force: true })
  })
  await writeFile(join(folder, 'notes.txt'), 'old notes')
  return { server, folder, env: openAIEnvironment(server) }
}

/** Runs the example; `answer` is called with everything printed so far and returns the next line to type, or stops it. */
function runExample(
  env: NodeJS.ProcessEnv,
  args: string[],
  answers: (string | 'kill')[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/main.ts', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    const deadline = setTimeout(() => child.kill('SIGKILL'), 20_000)
    let stdout = ''
    let stderr = ''
    let asked = 0
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      // Each question ends with "] " or "? ": answer it.
      const questions = stdout.match(/(\[y\/N\] |Why not\? )/g)?.length ?? 0
      while (asked < questions) {
        const next = answers[asked++]
        if (next === 'kill') child.kill('SIGTERM')
        else if (next !== undefined) child.stdin.write(`${next}\n`)
        else child.stdin.end()
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(deadline)
      resolve({ code, stdout, stderr })
    })
  })
}

it('deletes the file after the person approves', async () => {
  const { folder, env } = await setUp()
  const run = await runExample(env, [folder, 'Delete notes.txt'], ['y'])
  expect(run.code, run.stderr).toBe(0)
  expect(run.stdout).toContain('The agent wants to run delete_file {"path":"notes.txt"}. Approve? [y/N]')
  expect(run.stdout).toContain('Answer: Tool said: Deleted notes.txt.')
  expect(existsSync(join(folder, 'notes.txt'))).toBe(false)
})

it('keeps the file when the person says no, and the model reads why', async () => {
  const { folder, env, server } = await setUp()
  const run = await runExample(env, [folder, 'Delete notes.txt'], ['n', 'I still need it'])
  expect(run.code, run.stderr).toBe(0)
  expect(existsSync(join(folder, 'notes.txt'))).toBe(true)
  expect(run.stdout).toMatch(/Answer: Tool said: Error: .*did not approve.*I still need it/)
  expect(JSON.stringify(server.requests.at(-1)!.body)).toContain('I still need it')
})

it('a program stopped at the question asks it again when run again, then deletes', async () => {
  const { folder, env, server } = await setUp()
  const stopped = await runExample(env, [folder, 'Delete notes.txt'], ['kill'])
  expect(stopped.code).not.toBe(0)
  expect(existsSync(join(folder, 'notes.txt'))).toBe(true)
  const requestsBefore = server.requests.length

  const again = await runExample(env, [folder, 'unused prompt'], ['yes'])
  expect(again.code, again.stderr).toBe(0)
  expect(again.stdout).toContain('A question from the last run is still waiting:')
  expect(again.stdout).toContain('Answer: Tool said: Deleted notes.txt.')
  expect(existsSync(join(folder, 'notes.txt'))).toBe(false)
  // The second process did not ask the model again for the interrupted turn: one request, after the tool ran.
  expect(server.requests.length).toBe(requestsBefore + 1)
})

it('refuses a path outside the folder even when approved', async () => {
  const { folder, env } = await setUp()
  const outside = join(folder, '..', `outside-${Date.now()}.txt`)
  await writeFile(outside, 'keep')
  onTestFinished(() => rm(outside, { force: true }))
  const run = await runExample(env, [folder, `Delete ../${outside.split('/').at(-1)}`], ['y'])
  expect(run.code, run.stderr).toBe(0)
  expect(run.stdout).toMatch(/is not a file in the working folder/)
  expect(existsSync(outside)).toBe(true)
})
