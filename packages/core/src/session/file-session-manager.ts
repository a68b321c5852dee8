import { SessionConflictError, SessionError } from '../errors/session-error.js'
import { type InterruptState, isInterruptState } from '../interrupt/interrupt.js'
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
  /** A run waiting for interrupt responses (`SessionData.interruptState`). */
  interruptState?: InterruptState
}

export interface FileSessionManagerOptions {
  /** Letters, digits, `_`, `-` and `.`; it names the file `<sessionId>.json`. */
  sessionId: string
  /** Folder of the session files. Default `./sessions`. */
  directory?: string
  /** How long a save waits for another writer's lock before it fails. Default 5000 ms. */
  lockTimeoutMs?: number
  /**
   * The lock's lease: its holder renews it every third of this; a lock not renewed for this long was
   * left by a crashed writer (on any host sharing the folder) and is taken over. Default 30 000 ms.
   */
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
    if (file === undefined) return undefined
    const { messages, state, interruptState } = file
    return interruptState === undefined ? { messages, state } : { messages, state, interruptState }
  }

  async save(data: SessionData): Promise<void> {
    const { mkdir, open, rename, unlink } = await fileSystem()
    await mkdir(this.directory, { recursive: true }).catch((error: unknown) => {
      throw this.failed('create the session directory', error)
    })
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
        ...(data.interruptState !== undefined && { interruptState: data.interruptState }),
      }
      const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`
      try {
        const handle = await open(temporary, 'wx')
        try {
          await handle.writeFile(JSON.stringify(file))
          await handle.sync()
        } finally {
          await handle.close()
        }
        await rename(temporary, this.path)
      } catch (error) {
        // Every failure path (a full disk, a failed sync or rename) leaves no temporary file behind.
        await unlink(temporary).catch(() => {})
        throw this.failed('save', error)
      }
      this.revision = file.revision
    } finally {
      await releaseLock()
    }
  }

  /** A file-system failure as a `SessionError`; the system's text (with paths) stays in `cause`. */
  private failed(action: string, error: unknown): SessionError {
    if (SessionError.isInstance(error)) return error
    const code = (error as NodeJS.ErrnoException | null)?.code
    return new SessionError(
      `Could not ${action} session "${this.sessionId}"${code === undefined ? '' : ` (${code})`}: ${(error as Error)?.message ?? String(error)}. The saved session was left as it was.`,
      { cause: error },
    )
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
      Array.isArray(file.state) ||
      (file.interruptState !== undefined && !isInterruptState(file.interruptState))
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

  /**
   * Takes the lock file (created exclusively) and renews its lease (the file's mtime) while it is held;
   * returns the function that releases it.
   */
  private async lock(): Promise<() => Promise<void>> {
    const { open, readFile, unlink } = await fileSystem()
    const token = JSON.stringify({ pid: process.pid, host: await hostName(), id: randomUUID() })
    const deadline = Date.now() + this.lockTimeoutMs
    let wait = 2
    while (true) {
      let handle: Awaited<ReturnType<typeof open>> | undefined
      try {
        handle = await open(this.lockPath, 'wx')
        await handle.writeFile(token)
      } catch (error) {
        if (handle !== undefined) {
          await handle.close().catch(() => {})
          await unlink(this.lockPath).catch(() => {})
        }
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.failed('lock', error)
        handle = undefined
      }
      if (handle !== undefined) {
        const held = handle
        // Touching the open file renews the lease of the lock this writer created, even if a writer
        // that judged it stale has replaced the path meanwhile.
        const renewal = setInterval(
          () => {
            const now = new Date()
            held.utimes(now, now).catch(() => {})
          },
          Math.max(10, this.staleLockMs / 3),
        )
        renewal.unref?.()
        return async () => {
          clearInterval(renewal)
          await held.close().catch(() => {})
          // Only remove our own lock (a writer that judged it stale may have replaced it).
          const owner = await readFile(this.lockPath, 'utf8').catch(() => undefined)
          if (owner === token) await unlink(this.lockPath).catch(() => {})
        }
      }
      if (await this.takeOverStaleLock()) continue
      if (Date.now() > deadline) {
        throw new SessionError(
          `Session "${this.sessionId}" stayed locked by another writer for ${this.lockTimeoutMs} ms (${this.lockPath}); nothing was written. If no other process uses it, delete the lock file.`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, wait))
      wait = Math.min(wait * 2, 50)
    }
  }

  /**
   * Removes a stale lock so that the caller can try again. Stale: its lease ran out (the holder renews
   * it), or it names a dead process on this host. Several writers may judge the same lock stale at
   * once: each must first create a guard file named after that lock's content, exclusively, and check
   * under the guard that the lock still holds that content. So exactly one of them removes it, and none
   * removes a fresh lock taken meanwhile (lock contents are unique, so a stale one never comes back).
   */
  private async takeOverStaleLock(): Promise<boolean> {
    const { open, readFile, stat, unlink } = await fileSystem()
    const [owner, info] = await Promise.all([
      readFile(this.lockPath, 'utf8').catch(() => undefined),
      stat(this.lockPath).catch(() => undefined),
    ])
    if (owner === undefined || info === undefined) return owner === undefined
    if (!(await this.isStale(owner, info.mtimeMs))) return false
    const guardPath = `${this.lockPath}.${await digest(owner)}.takeover`
    let guard: Awaited<ReturnType<typeof open>>
    try {
      guard = await open(guardPath, 'wx')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.failed('lock', error)
      // Another writer is taking it over; a guard left by a writer that crashed right there expires.
      const guardInfo = await stat(guardPath).catch(() => undefined)
      if (guardInfo !== undefined && Date.now() - guardInfo.mtimeMs > this.staleLockMs) {
        await unlink(guardPath).catch(() => {})
      }
      return false
    }
    try {
      const now = await readFile(this.lockPath, 'utf8').catch(() => undefined)
      if (now === owner) await unlink(this.lockPath).catch(() => {})
    } finally {
      await guard.close().catch(() => {})
      await unlink(guardPath).catch(() => {})
    }
    return true
  }

  private async isStale(owner: string, modifiedMs: number): Promise<boolean> {
    if (Date.now() - modifiedMs > this.staleLockMs) return true
    // A pid only means something on the host that wrote it: a writer in another container sharing
    // the volume has a pid this process cannot see, and is judged by its lease alone.
    let holder: { pid?: unknown; host?: unknown }
    try {
      holder = JSON.parse(owner) as typeof holder
    } catch {
      return false
    }
    return typeof holder?.pid === 'number' && holder.host === (await hostName()) && !isAlive(holder.pid)
  }
}

let cachedHostName: string | undefined

async function hostName(): Promise<string> {
  cachedHostName ??= (await import('node:os')).hostname()
  return cachedHostName
}

async function digest(text: string): Promise<string> {
  const bytes = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(bytes).subarray(0, 12), (byte) => byte.toString(16).padStart(2, '0')).join(
    '',
  )
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
    isObject(message) &&
    (message.role === 'user' || message.role === 'assistant') &&
    Array.isArray(message.content) &&
    message.content.every(isContentBlock)
  )
}

/** Enough of a content block for the loop and the repair to read it without a `TypeError`. */
function isContentBlock(value: unknown): boolean {
  if (!isObject(value)) return false
  const block = value as { toolUse?: unknown; toolResult?: unknown }
  if ('toolUse' in block) {
    const toolUse = block.toolUse as { toolUseId?: unknown; name?: unknown }
    if (!isObject(toolUse) || typeof toolUse.toolUseId !== 'string' || typeof toolUse.name !== 'string')
      return false
  }
  if ('toolResult' in block) {
    const toolResult = block.toolResult as { toolUseId?: unknown; content?: unknown }
    if (
      !isObject(toolResult) ||
      typeof toolResult.toolUseId !== 'string' ||
      !Array.isArray(toolResult.content)
    )
      return false
  }
  return true
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
