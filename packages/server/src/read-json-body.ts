import { HTTPException } from './http-exception.js'

/**
 * Reads a JSON request body within limits: a non-JSON content type is 415, a body over `maxBytes` is 413
 * (checked from `Content-Length` first, then while reading, so a lying or chunked client cannot exceed it),
 * text that is not UTF-8 JSON is 400.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get('content-type')
  if (!isJsonMediaType(contentType)) {
    throw new HTTPException(
      415,
      `Send the request body as JSON with "Content-Type: application/json" (got ${contentType === null ? 'no content type' : `"${contentType.slice(0, 100)}"`}).`,
    )
  }
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes)
  const text = await readText(request, maxBytes)
  if (text.trim() === '') throw new HTTPException(400, 'The request body is empty; send a JSON object.')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HTTPException(400, `The request body is not valid JSON: ${(error as Error).message}`)
  }
}

export function isJsonMediaType(contentType: string | null): boolean {
  if (contentType === null) return false
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase()
  return (
    mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
  )
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  if (request.body === null) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  while (true) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new HTTPException(400, 'The request body is not valid UTF-8 text.')
  }
}

function tooLarge(maxBytes: number): HTTPException {
  return new HTTPException(413, `The request body is larger than the limit of ${maxBytes} bytes.`)
}
