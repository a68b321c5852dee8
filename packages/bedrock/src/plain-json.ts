import { type JsonValue, ModelError } from '@agent/core'

/** Base64 text of binary data, the form binary takes in messages and events. */
export function toBase64(bytes: Uint8Array): string {
  // Web-standard (no Buffer), in slices so that large blobs do not overflow the argument list.
  let binary = ''
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000))
  }
  return btoa(binary)
}

/** The bytes of base64 text, the form the AWS SDK wants for blobs. */
export function fromBase64(text: string): Uint8Array {
  // Lenient like Buffer: base64url letters, whitespace and missing padding are accepted.
  let binary: string
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/[\s=]/g, ''))
  } catch (cause) {
    throw new ModelError('Binary content is not valid base64.', { cause })
  }
  return Uint8Array.from(binary, (character) => character.charCodeAt(0))
}

/**
 * A copy of an SDK value as plain JSON: blobs become base64 text, dates ISO text, `undefined`
 * members are dropped. Used for the rarely sent, open-ended parts (traces, citations, extra fields).
 */
export function toPlainJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Uint8Array) return toBase64(value)
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(toPlainJson)
  if (typeof value === 'object') {
    const plain: { [key: string]: JsonValue } = {}
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined && typeof member !== 'function') plain[key] = toPlainJson(member)
    }
    return plain
  }
  return null
}
