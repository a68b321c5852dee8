import { describe, expect, it } from 'vitest'
import { SseEventSplitter } from './sse-event-splitter.js'

type Seen = [data: string, eventName: string | undefined]

/** Feeds the bytes in pieces of `pieceSize` (every split point, when 1) and collects the events. */
function split(bytes: Uint8Array | string, pieceSize = bytes.length): Seen[] {
  const input = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes
  const seen: Seen[] = []
  const splitter = new SseEventSplitter({ onEvent: (data, eventName) => seen.push([data, eventName]) })
  for (let start = 0; start < input.length; start += pieceSize) {
    splitter.push(input.subarray(start, start + pieceSize))
  }
  splitter.end()
  return seen
}

describe('SseEventSplitter', () => {
  const stream = 'data: {"a":1}\n\ndata: {"b":"é😀"}\n\ndata: [DONE]\n\n'
  const expected: Seen[] = [
    ['{"a":1}', undefined],
    ['{"b":"é😀"}', undefined],
    ['[DONE]', undefined],
  ]

  it('splits LF-terminated events, whole and cut at every byte (split UTF-8 sequences included)', () => {
    expect(split(stream)).toEqual(expected)
    for (const pieceSize of [1, 2, 3, 5, 7]) expect(split(stream, pieceSize)).toEqual(expected)
  })

  it('accepts CRLF and CR line ends, also a CRLF cut between its two bytes', () => {
    for (const lineEnd of ['\r\n', '\r']) {
      const text = stream.replaceAll('\n', lineEnd)
      expect(split(text)).toEqual(expected)
      for (const pieceSize of [1, 2, 3, 4]) expect(split(text, pieceSize)).toEqual(expected)
    }
  })

  it('joins multi-line data with LF, skips comments, reads event names and unspaced values', () => {
    const text = ': keep-alive\n\nevent: error\ndata:{"error":\ndata: {"message":"x"}}\nid: 7\nretry: 10\n\n'
    expect(split(text)).toEqual([['{"error":\n{"message":"x"}}', 'error']])
    expect(split(text, 1)).toEqual([['{"error":\n{"message":"x"}}', 'error']])
  })

  it('drops events without data, delivers a last event the server did not end, strips a byte-order mark', () => {
    expect(split('event: ping\n\n\n\ndata: last')).toEqual([['last', undefined]])
    const marked = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('data: x\n\n')])
    expect(split(marked)).toEqual([['x', undefined]])
    expect(split(marked, 1)).toEqual([['x', undefined]])
  })

  it('keeps an empty data line and a field without a colon apart', () => {
    expect(split('data\n\ndata:\ndata:\n\n')).toEqual([
      ['', undefined],
      ['\n', undefined],
    ])
  })
})
