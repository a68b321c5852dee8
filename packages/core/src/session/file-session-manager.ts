import { SessionConflictError, SessionError } from '../errors/session-error.js'
import type { JsonObject } from '../types/json.js'
import type { Message } from '../types/messages.js'
import type { SessionData, SessionManager } from './session-manager.js'

/** The version of the session file format this code reads and writes. */
export const sessionFileVersion = 1

/** The session file, as JSON. */
export interface SessionFile {
  version: number
  sessionId: string
  /** Counts the saves; a writer may only save over the revision it last read or wrote. */
  revision: number
  updatedAt: string
  messages: Message[]
  state: JsonObject
}

export interface FileSessionManagerOptions {
  /** Letters, digits, `_`, `-` and `.`; it names the file `<sessionId>.json`. */
  sessionId: string
  /** Folder of the session files. Default `./sessions`. */
  directory?: string
  /** How long a save waits for another writer's lock before it fails. Default 5000 ms. */
  lockTimeoutMs?: number
  /** A lock older than this was left by a crashed writer and is removed. Default 30 000 ms. */
  staleLockMs?: number
}

// Loaded on first use, so that importing @agent/core stays cheap and free of Node-only modules.
const fileSystem = () => import('node:fs/promises')
const randomUUID = () => globalThis.crypto.randomUUID()

const sessionIdPattern = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,128}$/

/**
 * Keeps a session in one JSON file. Every save writes a temporary file and renames it over the old one,
 * so a reader never sees half a file; a lock file and a revision number make concurrent writers
 * (other processes included) fail with a `SessionConflictError` instead of losing each other's messages.
 * A file it cannot read (truncated, corrupt, unknown version) is reported and never overwritten.
 */
export class FileSessionManager implements SessionManager {
  readonly sessionId: string
  readonly path: string
  private readonly directory: string
  private readonly lockPath: string
  private readonly lockTimeoutMs: number
  private readonly staleLockMs: number
  /** The revision this writer last read or wrote; `undefined` before the first load. */
  private revision: number | undefined

  constructor(options: FileSessionManagerOptions) {
    if (!sessionIdPattern.test(options.sessionId)) {
      throw new TypeError(
        `Session id "${options.sessionId}" is invalid: use 1 to 128 letters, digits, "_", "-" or ".".`,
      )
    }
    this.sessionId = options.sessionId
    this.directory = (options.directory ?? 'sessions').replace(/[\\/]+$/, '') || '/'
    this.path = `${this.directory}/${options.sessionId}.json`
    this.lockPath = `${this.path}.lock`
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000
    this.staleLockMs = options.staleLockMs ?? 30_000
  }

  async load(): Promise<SessionData | undefined> {
    const file = await this.read()
    this.revision = file?.revision ?? 0
    return file === undefined ? undefined : { messages: file.messages, state: file.state }
  }

  async save(data: SessionData): Promise<void> {
    const { mkdir, open, rename, unlink } = await fileSystem()
    await mkdir(this.directory, { recursive: true })
    const releaseLock = await this.lock()
    try {
      const current = (await this.read())?.revision ?? 0
      const expected = this.revision ?? 0
      if (current !== expected) {
        throw new SessionConflictError(
          `Session "${this.sessionId}" was changed by another writer (revision ${current}, this agent last saw ${expected}); nothing was written. Use one agent per session, or load the session again.`,
        )
      }
      const file: SessionFile = {
        version: sessionFileVersion,
        sessionId: this.sessionId,
        revision: current + 1,
        updatedAt: new Date().toISOString(),
        messages: data.messages,
        state: data.state,
      }
      const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`
      const handle = await open(temporary, 'wx')
      try {
        await handle.writeFile(JSON.stringify(file))
        await handle.sync()
      } finally {
        await handle.close()
      }
      try {
        await rename(temporary, this.path)
      } catch (error) {
        await unlink(temporary).catch(() => {})
        throw error
      }
      this.revision = file.revision
    } finally {
      await releaseLock()
    }
  }

  private async read(): Promise<SessionFile | undefined> {
    const { readFile } = await fileSystem()
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new SessionError(`Could not read session file ${this.path}: ${(error as Error).message}.`, {
        cause: error,
      })
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw this.unusable(`it is not valid JSON, probably truncated or corrupt (${(error as Error).message})`)
    }
    const file = parsed as Partial<SessionFile> | null
    if (typeof file !== 'object' || file === null || Array.isArray(file)) {
      throw this.unusable('it does not hold a session object')
    }
    if (file.version !== sessionFileVersion) {
      throw this.unusable(
        `its format version is ${JSON.stringify(file.version)}, and this version of @agent/core reads version ${sessionFileVersion}`,
      )
    }
    if (
      !Number.isInteger(file.revision) ||
      !Array.isArray(file.messages) ||
      !file.messages.every(isMessage) ||
      typeof file.state !== 'object' ||
      file.state === null ||
      Array.isArray(file.state)
    ) {
      throw this.unusable('its revision, messages or state are missing or malformed')
    }
    return file as SessionFile
  }

  private unusable(why: string): SessionError {
    return new SessionError(
      `Session file ${this.path} cannot be used: ${why}. It was left untouched; move it away to start a new session with this id.`,
    )
  }

  /** Takes the lock file (created exclusively); returns the function that releases it. */
  private async lock(): Promise<() => Promise<void>> {
    const { open, readFile, unlink } = await fileSystem()
    const token = `${process.pid} ${randomUUID()}`
    const deadline = Date.now() + this.lockTimeoutMs
    let wait = 2
    while (true) {
      try {
        const handle = await open(this.lockPath, 'wx')
        await handle.writeFile(token)
        await handle.close()
        return async () => {
          // Only remove our own lock (a stale-lock cleanup by another writer may have replaced it).
          const owner = await readFile(this.lockPath, 'utf8').catch(() => undefined)
          if (owner === token) await unlink(this.lockPath).catch(() => {})
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new SessionError(`Could not lock session file ${this.path}: ${(error as Error).message}.`, {
            cause: error,
          })
        }
      }
      if (await this.removeStaleLock()) continue
      if (Date.now() > deadline) {
        throw new SessionError(
          `Session "${this.sessionId}" stayed locked by another writer for ${this.lockTimeoutMs} ms (${this.lockPath}); nothing was written. If no other process uses it, delete the lock file.`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
      wait = Math.min(wait * 2, 50)
    }
  }

  private async removeStaleLock(): Promise<boolean> {
    const { readFile, stat, unlink } = await fileSystem()
    const [owner, info] = await Promise.all([
      readFile(this.lockPath, 'utf8').catch(() => undefined),
      stat(this.lockPath).catch(() => undefined),
    ])
    if (owner === undefined || info === undefined) return false
    const pid = Number.parseInt(owner, 10)
    const old = Date.now() - info.mtimeMs > this.staleLockMs
    if (!old && (Number.isNaN(pid) || isAlive(pid))) return false
    await unlink(this.lockPath).catch(() => {})
    return true
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function isMessage(value: unknown): value is Message {
  const message = value as Partial<Message> | null
  return (
    typeof message === 'object' &&
    message !== null &&
    (message.role === 'user' || message.role === 'assistant') &&
    Array.isArray(message.content)
  )
}
