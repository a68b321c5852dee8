const sessionIdPattern = /^[A-Za-z0-9_.:-]{1,256}$/

/** The default prefix of every key this package writes. */
export const defaultKeyPrefix = 'agent:'

export function checkedSessionId(sessionId: string): string {
  if (!sessionIdPattern.test(sessionId)) {
    throw new TypeError(
      `Session id "${sessionId}" is invalid: use 1 to 256 letters, digits, "_", "-", "." or ":".`,
    )
  }
  return sessionId
}

export function sessionKey(prefix: string, sessionId: string): string {
  return `${prefix}session:{${sessionId}}`
}

export function sessionLockKey(prefix: string, sessionId: string): string {
  return `${prefix}session:{${sessionId}}:lock`
}
