import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import {
  type JSONRPCMessage,
  ReadBuffer,
  serializeMessage,
  type Transport,
} from '@modelcontextprotocol/client'
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio'

export interface StdioServerOptions {
  command: string
  args?: readonly string[]
  /** Added to a minimal safe environment (PATH, HOME…): the parent's secrets are not passed on unless named here. */
  env?: Record<string, string>
  cwd?: string
  /**
   * Where the server's stderr goes: `'inherit'` (default) writes it to this process's stderr, each line
   * prefixed with the client's name; a function receives each chunk; `'ignore'` drops it. The last few
   * kilobytes are kept either way and quoted in the error when the server exits.
   */
  stderr?: 'inherit' | 'ignore' | ((text: string) => void)
}

/** Largest JSON-RPC line accepted from the server; a longer one closes the connection. */
const maxMessageBytes = 16 * 1024 * 1024
const stderrTailBytes = 4096
const exitGraceMs = 1000

/** Children still running, killed when this process exits so that none outlives the app. */
const liveChildren = new Set<ChildProcessWithoutNullStreams>()
let exitHookInstalled = false

function killLiveChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL')
}

/**
 * The SDK's `Transport` over a child process's stdin/stdout, written here rather than using the SDK's
 * stdio transport so that the child and its pipes are unreferenced: an app that forgets `close()` still
 * exits, and the child is killed with it.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage) => void

  #child: ChildProcessWithoutNullStreams | undefined
  readonly #readBuffer = new ReadBuffer({ maxBufferSize: maxMessageBytes })
  #stderrTail = ''
  #exitDescription: string | undefined
  #closed = false

  private readonly options: StdioServerOptions
  private readonly label: string

  constructor(options: StdioServerOptions, label: string) {
    this.options = options
    this.label = label
  }

  /** Why the process ended (exit code or signal and the end of its stderr), once it has. */
  get exitDescription(): string | undefined {
    return this.#exitDescription
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  async start(): Promise<void> {
    const child = spawn(this.options.command, [...(this.options.args ?? [])], {
      env: { ...getDefaultEnvironment(), ...this.options.env },
      cwd: this.options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    })
    this.#child = child
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
    child.on('error', (error) => this.onerror?.(error))
    child.stdout.on('data', (chunk: Buffer) => this.#read(chunk))
    child.stderr.on('data', (chunk: Buffer) => this.#readStderr(chunk))
    child.stdin.on('error', (error) => this.onerror?.(error))
    child.once('exit', (code, signal) => {
      liveChildren.delete(child)
      const tail = this.#stderrTail.trim()
      this.#exitDescription = `the server process exited (${signal === null ? `code ${code}` : `signal ${signal}`})${tail === '' ? '' : `; its last output: ${tail.slice(-1000)}`}`
      this.#finish()
    })
    liveChildren.add(child)
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.once('exit', killLiveChildren)
    }
    child.unref()
    for (const stream of [child.stdin, child.stdout, child.stderr] as const) unrefStream(stream)
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#child?.stdin
    if (stdin === undefined || this.#closed || !stdin.writable)
      throw new Error('the server process is not running')
    await new Promise<void>((resolve, reject) => {
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()))
    })
  }

  /** Kills the process at once (one that failed to start is not worth a grace period). */
  kill(): void {
    this.#child?.kill('SIGKILL')
  }

  /** Ends stdin, then SIGTERM, then SIGKILL, each after a short grace period. */
  async close(): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      this.#finish()
      return
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.stdin.end()
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (await settlesWithin(exited, exitGraceMs)) break
      child.kill(signal)
    }
    await settlesWithin(exited, exitGraceMs)
    this.#finish()
  }

  #read(chunk: Buffer): void {
    try {
      this.#readBuffer.append(chunk)
      this.#deliverNext()
    } catch (error) {
      this.#dropStream(error as Error)
    }
  }

  /**
   * Hands over one message, then the next one a microtask later: the SDK runs notification handlers in a
   * microtask but responses at once, so progress notifications read in the same chunk as their call's
   * response would otherwise arrive after it and be dropped.
   */
  #deliverNext(): void {
    let message: JSONRPCMessage | null
    try {
      message = this.#readBuffer.readMessage()
    } catch (error) {
      this.#dropStream(error as Error)
      return
    }
    if (message === null) return
    this.onmessage?.(message)
    queueMicrotask(() => this.#deliverNext())
  }

  /** A malformed or oversized line: the stream cannot be trusted any more. */
  #dropStream(error: Error): void {
    this.onerror?.(error)
    this.#readBuffer.clear()
    this.#child?.kill('SIGKILL')
  }

  #readStderr(chunk: Buffer): void {
    const text = chunk.toString('utf8')
    this.#stderrTail = (this.#stderrTail + text).slice(-stderrTailBytes)
    const target = this.options.stderr ?? 'inherit'
    if (target === 'ignore') return
    if (typeof target === 'function') target(text)
    else process.stderr.write(text.replace(/^(?=.)/gm, `[${this.label}] `))
  }

  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    this.#readBuffer.clear()
    this.onclose?.()
  }
}

function unrefStream(stream: Readable | Writable): void {
  ;(stream as unknown as { unref?: () => void }).unref?.()
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  const result = await Promise.race([promise.then(() => true as const), timeout])
  clearTimeout(timer)
  return result
}
