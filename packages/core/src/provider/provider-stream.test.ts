import { describe, expect, it } from 'vitest'
import { AbortError } from '../errors/invocation-errors.js'
import { ModelError } from '../errors/model-error.js'
import type { ModelStreamEvent } from '../model/model-stream-event.js'
import { type ChunkBatches, ProviderStream, type StreamConverter } from './provider-stream.js'

/** Text chunks become text deltas of block 0; the end adds messageStop and metadata. */
class TextConverter implements StreamConverter<string> {
  accept(chunk: string, out: ModelStreamEvent[]): void {
    if (chunk === 'bad') throw new Error('unreadable chunk')
    out.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: chunk } } })
  }
  finish(out: ModelStreamEvent[], metrics: { latencyMs: number; timeToFirstByteMs?: number }): void {
    out.push({ messageStop: { stopReason: 'end_turn' } }, { metadata: { metrics } })
  }
}

// As providers do: an AbortError stays as it is, anything else becomes a ModelError.
const toError = (error: unknown): Error =>
  AbortError.isInstance(error) ? (error as Error) : new ModelError(`mapped: ${String(error)}`)

/** A client stream that hands out `chunks`, then waits until its signal aborts, then ends quietly. */
function chunksThenWait(chunks: string[], seen: { signal?: AbortSignal; released?: boolean }) {
  return async (signal: AbortSignal | undefined): Promise<AsyncIterable<string>> => {
    seen.signal = signal
    let position = 0
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (position < chunks.length) return { value: chunks[position++]!, done: false }
          if (signal !== undefined && !signal.aborted) {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
          }
          return { value: undefined, done: true }
        },
        return: async () => {
          seen.released = true
          return { value: undefined, done: true }
        },
      }),
    }
  }
}

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  yield* chunks
}

async function drain(stream: AsyncIterable<ModelStreamEvent>) {
  const events: ModelStreamEvent[] = []
  try {
    for await (const event of stream) events.push(event)
  } catch (error) {
    return { events, error }
  }
  return { events, error: undefined }
}

describe('ProviderStream', () => {
  it('converts each chunk, then closes the message with latency and time to first byte', async () => {
    const controller = new AbortController()
    const stream = new ProviderStream({
      name: 'Test',
      open: async () => chunksOf('Hello', ' there'),
      converter: new TextConverter(),
      signal: controller.signal,
      toError,
    })
    const { events, error } = await drain(stream)
    expect(error).toBeUndefined()
    expect(events.slice(0, 3)).toEqual([
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hello' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' there' } } },
      { messageStop: { stopReason: 'end_turn' } },
    ])
    expect(events[3]).toEqual({
      metadata: { metrics: { latencyMs: expect.any(Number), timeToFirstByteMs: expect.any(Number) } },
    })
  })

  it('never opens a request whose signal is already aborted', async () => {
    let opened = false
    const stream = new ProviderStream({
      name: 'Test',
      open: async () => {
        opened = true
        return chunksOf()
      },
      converter: new TextConverter(),
      signal: AbortSignal.abort(),
      toError,
    })
    const { error } = await drain(stream)
    expect(AbortError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe('The Test request was aborted before it was sent.')
    expect(opened).toBe(false)
  })

  it('turns a quiet end after an abort into an AbortError', async () => {
    const controller = new AbortController()
    const seen: { signal?: AbortSignal } = {}
    const stream = new ProviderStream({
      name: 'Test',
      open: chunksThenWait(['partial'], seen),
      converter: new TextConverter(),
      signal: controller.signal,
      toError,
    })
    expect((await stream.next()).value).toMatchObject({ contentBlockDelta: { delta: { text: 'partial' } } })
    expect(seen.signal).toBe(controller.signal)
    const pending = stream.next()
    controller.abort()
    const error = await pending.catch((caught: unknown) => caught)
    expect(AbortError.isInstance(error)).toBe(true)
    expect((error as Error).message).toBe('The Test request was aborted.')
  })

  it('maps a failing chunk with toError and releases the client stream', async () => {
    const seen: { released?: boolean } = {}
    const stream = new ProviderStream({
      name: 'Test',
      open: chunksThenWait(['ok', 'bad'], seen),
      converter: new TextConverter(),
      signal: undefined,
      toError,
    })
    const { events, error } = await drain(stream)
    expect(events).toHaveLength(1)
    expect(error).toEqual(new ModelError('mapped: Error: unreadable chunk'))
    expect(seen.released).toBe(true)
  })

  it('with abortOnStop, aborts its own signal before releasing the client stream when reading stops', async () => {
    const caller = new AbortController()
    const seen: { signal?: AbortSignal; released?: boolean } = {}
    const stream = new ProviderStream({
      name: 'Test',
      open: chunksThenWait(['one'], seen),
      converter: new TextConverter(),
      signal: caller.signal,
      toError,
      abortOnStop: true,
    })
    await stream.next()
    expect(seen.signal).not.toBe(caller.signal)
    expect(seen.signal?.aborted).toBe(false)
    await stream.return()
    expect(seen.signal?.aborted).toBe(true)
    expect(seen.released).toBe(true)
    expect(caller.signal.aborted).toBe(false)
  })

  describe('with chunks handed out a read at a time (ChunkBatches)', () => {
    /** A source that hands out `reads`, one array per read, and records whether it was cancelled. */
    function batchesOf(reads: string[][], seen: { cancelled: number }): ChunkBatches<string> {
      let position = 0
      return {
        read: async () => (position < reads.length ? reads[position++] : undefined),
        cancel: () => {
          seen.cancelled++
        },
      }
    }

    it('converts every chunk of every read, in order, then closes the message', async () => {
      const seen = { cancelled: 0 }
      const stream = new ProviderStream<string>({
        name: 'Test',
        open: async () => batchesOf([['a', 'b'], ['c'], ['d', 'e', 'f']], seen),
        converter: new TextConverter(),
        signal: undefined,
        toError,
      })
      const { events, error } = await drain(stream)
      expect(error).toBeUndefined()
      expect(events.slice(0, 6)).toEqual(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((text) => ({
          contentBlockDelta: { contentBlockIndex: 0, delta: { text } },
        })),
      )
      expect(events.slice(6)).toEqual([
        { messageStop: { stopReason: 'end_turn' } },
        { metadata: { metrics: { latencyMs: expect.any(Number), timeToFirstByteMs: expect.any(Number) } } },
      ])
      expect(seen.cancelled).toBe(0)
    })

    it('cancels the source when the reader stops early, and when a chunk fails', async () => {
      const seen = { cancelled: 0 }
      const options = {
        name: 'Test',
        converter: new TextConverter(),
        signal: undefined,
        toError,
      }
      const early = new ProviderStream<string>({
        ...options,
        open: async () => batchesOf([['a', 'b'], ['c']], seen),
      })
      for await (const _event of early) break
      expect(seen.cancelled).toBe(1)
      const failing = new ProviderStream<string>({
        ...options,
        open: async () => batchesOf([['a', 'bad']], seen),
      })
      const { error } = await drain(failing)
      expect(error).toMatchObject({ name: 'ModelError', message: 'mapped: Error: unreadable chunk' })
      expect(seen.cancelled).toBe(2)
    })

    it('maps a failing read with toError', async () => {
      const stream = new ProviderStream<string>({
        name: 'Test',
        open: async () => ({
          read: () => Promise.reject(new TypeError('terminated')),
          cancel: () => {},
        }),
        converter: new TextConverter(),
        signal: undefined,
        toError,
      })
      expect((await drain(stream)).error).toMatchObject({ message: 'mapped: TypeError: terminated' })
    })
  })
})
