import { createHash } from 'node:crypto'
import { htmlToMarkdown } from './html-to-markdown.js'

export type BodyFormat = 'empty' | 'text' | 'json' | 'html' | 'markdown' | 'binary'

export interface FormattedBody {
  format: BodyFormat
  text: string
  title?: string
  notes: string[]
}

export interface FormatOptions {
  contentType: string | undefined
  convertToMarkdown: boolean
  /** The final URL, to resolve relative links in HTML. */
  baseUrl: string
  /** The body was cut at the byte cap. */
  truncated: boolean
  maxHtmlBytes: number
  htmlConversionTimeMs: number
}

/**
 * Turns body bytes into text for the model: JSON pretty-printed, HTML as Markdown when asked, other text
 * as is; binary content is summarised (type, size, digest), never dumped.
 */
export function formatResponseBody(bytes: Buffer, options: FormatOptions): FormattedBody {
  if (bytes.length === 0) return { format: 'empty', text: '', notes: [] }
  const { mimeType, charset } = parseContentType(options.contentType)
  if (isBinary(bytes, mimeType)) return { format: 'binary', text: describeBinary(bytes, mimeType), notes: [] }
  const text = decodeText(bytes, charset)

  if (mimeType === 'application/json' || mimeType?.endsWith('+json')) {
    try {
      return { format: 'json', text: JSON.stringify(JSON.parse(text), null, 2), notes: [] }
    } catch {
      const reason = options.truncated ? 'it was truncated' : 'it is not valid JSON'
      return { format: 'text', text, notes: [`the JSON body is shown as sent because ${reason}`] }
    }
  }

  const looksLikeHtml =
    mimeType === 'text/html' ||
    mimeType === 'application/xhtml+xml' ||
    (mimeType === undefined && /^\s*(<!doctype html|<html[\s>])/i.test(text.slice(0, 512)))
  if (looksLikeHtml && options.convertToMarkdown) {
    const conversion = htmlToMarkdown(text, {
      baseUrl: options.baseUrl,
      maxInputCharacters: options.maxHtmlBytes,
      timeLimitMs: options.htmlConversionTimeMs,
    })
    return {
      format: 'markdown',
      text: conversion.markdown,
      ...(conversion.title === undefined ? {} : { title: conversion.title }),
      notes: conversion.notes,
    }
  }
  return { format: looksLikeHtml ? 'html' : 'text', text, notes: [] }
}

function parseContentType(header: string | undefined): { mimeType?: string; charset?: string } {
  if (header === undefined) return {}
  const [type, ...parameters] = header.split(';')
  const mimeType = type?.trim().toLowerCase() || undefined
  let charset: string | undefined
  for (const parameter of parameters) {
    const match = /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(parameter)
    if (match) charset = match[1]
  }
  return { ...(mimeType ? { mimeType } : {}), ...(charset ? { charset } : {}) }
}

const textualTypes = [
  /^text\//,
  /^application\/(json|xml|javascript|ecmascript|x-javascript|x-www-form-urlencoded|yaml|x-yaml|toml|graphql|sql|csv|x-ndjson|ld\+json|problem\+json|xhtml\+xml|rss\+xml|atom\+xml)$/,
  /\+(json|xml|yaml)$/,
  /^image\/svg\+xml$/,
]

function isBinary(bytes: Buffer, mimeType: string | undefined): boolean {
  const sample = bytes.subarray(0, 8192)
  if (sample.includes(0)) return true
  if (mimeType !== undefined) return !textualTypes.some((pattern) => pattern.test(mimeType))
  // No declared type: text only if it decodes as UTF-8 (a cut multi-byte character at the end is fine).
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, Math.max(0, sample.length - 4)))
    return false
  } catch {
    return true
  }
}

function decodeText(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes)
  } catch {
    // An unknown charset label: UTF-8 is the best guess on the web.
    return new TextDecoder('utf-8').decode(bytes)
  }
}

const signatures: Array<[string, number[]]> = [
  ['PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG image', [0xff, 0xd8, 0xff]],
  ['GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['ZIP archive', [0x50, 0x4b, 0x03, 0x04]],
  ['gzip data', [0x1f, 0x8b]],
  ['WebAssembly module', [0x00, 0x61, 0x73, 0x6d]],
]

function describeBinary(bytes: Buffer, mimeType: string | undefined): string {
  const kind = signatures.find(([, magic]) => magic.every((byte, index) => bytes[index] === byte))?.[0]
  const digest = createHash('sha256').update(bytes).digest('hex')
  const what = [mimeType, kind].filter(Boolean).join(', ') || 'unknown type'
  return `[binary body not shown: ${bytes.length} bytes (${what}), sha256 ${digest}]`
}
