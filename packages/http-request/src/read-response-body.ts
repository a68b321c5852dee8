import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { HttpRequestError } from './http-request-error.js'

export interface ResponseBody {
  /** The decoded bytes, at most the cap. */
  bytes: Buffer
  /** True when the body went on past the cap and was cut. */
  truncated: boolean
  /** Content codings that could not be decoded (the bytes are then still encoded). */
  undecodedEncodings: string[]
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress(): Transform }

/** zstd decoding arrived in Node 22.15 / 23.8; on older Node it is not offered. */
export const zstdSupported = typeof (zlib as Partial<ZlibWithZstd>).createZstdDecompress === 'function'

/** What we ask servers for: only codings this Node can undo. */
export const acceptedEncodings = zstdSupported ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br'

class LimitReached extends Error {}

/**
 * Stacked content codings decoded at most (curl's limit too). Each listed coding costs a decoder, so a
 * header that lists `gzip` thousands of times would otherwise burn seconds of CPU on a tiny body.
 */
export const maxStackedEncodings = 5

/**
 * Reads a body, undoing its content codings, and stops as soon as the decoded size passes `maxBytes`:
 * a compression bomb costs at most one decoder chunk past the cap. The caller's signal (the deadline)
 * ends a body that trickles.
 */
export async function readResponseBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
  signal: AbortSignal,
  /** Updated as bytes arrive, so a deadline can say how far the body got. */
  progress: { bytes: number } = { bytes: 0 },
): Promise<ResponseBody> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
  if (encodings.length > maxStackedEncodings) {
    body.on('error', () => {})
    body.destroy()
    throw new HttpRequestError(
      'network',
      `The response lists ${encodings.length} stacked content codings; at most ${maxStackedEncodings} are decoded. The server is misconfigured or hostile: try another source.`,
    )
  }
  const decoders: Transform[] = []
  const undecodedEncodings: string[] = []
  // Codings are listed in the order they were applied: undo them from the last.
  for (const coding of encodings.reverse()) {
    const decoder = createDecoder(coding)
    if (decoder === undefined) {
      undecodedEncodings.push(coding)
      break
    }
    decoders.push(decoder)
  }
  if (undecodedEncodings.length > 0) decoders.length = 0

  const chunks: Buffer[] = []
  let size = 0
  let truncated = false
  try {
    // pipeline's overloads cannot type a spread of stages.
    await (pipeline as (...stages: unknown[]) => Promise<void>)(
      body,
      ...decoders,
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          const room = maxBytes - size
          if (chunk.length > room) {
            if (room > 0) chunks.push(chunk.subarray(0, room))
            size = maxBytes
            throw new LimitReached()
          }
          chunks.push(chunk)
          size += chunk.length
          progress.bytes = size
        }
      },
      { signal },
    )
  } catch (error) {
    if (!(error instanceof LimitReached)) throw error
    truncated = true
    body.on('error', () => {})
    body.destroy()
  }
  return { bytes: Buffer.concat(chunks, size), truncated, undecodedEncodings }
}

function createDecoder(coding: string): Transform | undefined {
  // Lenient flushing: a body cut at a chunk boundary still yields what was decoded.
  const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(options)
    case 'deflate':
      // Unzip reads the zlib wrapper "deflate" means (and gzip, which some servers mislabel).
      return zlib.createUnzip(options)
    case 'br':
      return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
    case 'zstd':
      return zstdSupported ? (zlib as ZlibWithZstd).createZstdDecompress() : undefined
    default:
      return undefined
  }
}
