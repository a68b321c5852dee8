import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { constants, createBrotliDecompress, createGunzip, createUnzip, createZstdDecompress } from 'node:zlib'

export interface ResponseBody {
  /** The decoded bytes, at most the cap. */
  bytes: Buffer
  /** True when the body went on past the cap and was cut. */
  truncated: boolean
  /** Content codings that could not be decoded (the bytes are then still encoded). */
  undecodedEncodings: string[]
}

class LimitReached extends Error {}

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
): Promise<ResponseBody> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
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
  const options = { finishFlush: constants.Z_SYNC_FLUSH }
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip(options)
    case 'deflate':
      // Unzip reads the zlib wrapper "deflate" means (and gzip, which some servers mislabel).
      return createUnzip(options)
    case 'br':
      return createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH })
    case 'zstd':
      return createZstdDecompress()
    default:
      return undefined
  }
}
