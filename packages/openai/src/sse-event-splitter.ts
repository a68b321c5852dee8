/** Receives each complete server-sent event: its `data` (lines joined by `\n`) and its `event` name. */
export interface SseEventSink {
  onEvent(data: string, eventName: string | undefined): void
}

const lineFeed = 10
const carriageReturn = 13
const colon = 58
const space = 32
const emptyBytes = new Uint8Array(0)

/**
 * Splits a server-sent-event byte stream into events, on bytes: a line is only decoded once it is
 * complete, so a UTF-8 sequence split across network chunks is decoded whole, and only `data` and
 * `event` values are decoded at all. Accepts CR, LF and CRLF line ends (also a CRLF split across
 * chunks), comments, multi-line data and a leading byte-order mark. An event without `data` is dropped,
 * as the SSE specification says.
 */
export class SseEventSplitter {
  private readonly decoder = new TextDecoder()
  private readonly sink: SseEventSink
  /** The bytes of an unfinished line, kept until the chunk that ends it. */
  private pending: Uint8Array = emptyBytes
  private data: string | undefined
  private eventName: string | undefined
  private skipLineFeed = false
  private atStart = true

  constructor(sink: SseEventSink) {
    this.sink = sink
  }

  push(chunk: Uint8Array): void {
    let bytes = chunk
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length)
      bytes.set(this.pending)
      bytes.set(chunk, this.pending.length)
      this.pending = emptyBytes
    }
    let start = 0
    if (this.skipLineFeed && bytes.length > 0) {
      this.skipLineFeed = false
      if (bytes[0] === lineFeed) start = 1
    }
    if (this.atStart) {
      // Too few bytes to tell a byte-order mark yet: wait for more (no event can be complete in them).
      if (bytes.length - start < 3) {
        this.pending = bytes.slice(start)
        return
      }
      this.atStart = false
      if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3
    }
    const length = bytes.length
    let position = start
    while (position < length) {
      const byte = bytes[position]!
      if (byte !== lineFeed && byte !== carriageReturn) {
        position++
        continue
      }
      this.line(bytes, start, position)
      position++
      if (byte === carriageReturn) {
        if (position === length) this.skipLineFeed = true
        else if (bytes[position] === lineFeed) position++
      }
      start = position
    }
    if (start < length) this.pending = bytes.slice(start)
  }

  /** The stream ended: an event the server did not finish with a blank line is still delivered. */
  end(): void {
    if (this.pending.length > 0) {
      const rest = this.pending
      this.pending = emptyBytes
      this.line(rest, 0, rest.length)
    }
    this.dispatch()
  }

  private line(bytes: Uint8Array, start: number, end: number): void {
    if (start === end) {
      this.dispatch()
      return
    }
    if (bytes[start] === colon) return
    // `data:` is nearly every line: recognised without decoding the field name.
    if (
      end - start >= 5 &&
      bytes[start] === 100 &&
      bytes[start + 1] === 97 &&
      bytes[start + 2] === 116 &&
      bytes[start + 3] === 97 &&
      bytes[start + 4] === colon
    ) {
      const valueStart = bytes[start + 5] === space ? start + 6 : start + 5
      const value = this.decoder.decode(bytes.subarray(valueStart, end))
      this.data = this.data === undefined ? value : `${this.data}\n${value}`
      return
    }
    let fieldEnd = start
    while (fieldEnd < end && bytes[fieldEnd] !== colon) fieldEnd++
    const field = this.decoder.decode(bytes.subarray(start, fieldEnd))
    let valueStart = fieldEnd < end ? fieldEnd + 1 : end
    if (valueStart < end && bytes[valueStart] === space) valueStart++
    const value = this.decoder.decode(bytes.subarray(valueStart, end))
    if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`
    else if (field === 'event') this.eventName = value
  }

  private dispatch(): void {
    const data = this.data
    const eventName = this.eventName
    this.data = undefined
    this.eventName = undefined
    if (data !== undefined) this.sink.onEvent(data, eventName)
  }
}
