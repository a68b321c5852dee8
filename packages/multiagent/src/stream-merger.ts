type Settled<Key, Value, Return> =
  | { key: Key; step: IteratorResult<Value, Return>; error?: undefined }
  | { key: Key; step?: undefined; error: unknown }

/**
 * Reads several streams at once and hands out their items in the order they arrive, so that the events
 * of parallel branches interleave as they really happened. A source is read again only when its last
 * item has been taken, so no source runs ahead of the consumer by more than one item.
 */
export class StreamMerger<Key, Value, Return> {
  private readonly sources = new Map<Key, AsyncIterator<Value, Return>>()
  private readonly reading = new Map<Key, Promise<void>>()
  private readonly settled: Settled<Key, Value, Return>[] = []
  private toRead: Key | undefined
  private wake: (() => void) | undefined

  get size(): number {
    return this.sources.size
  }

  add(key: Key, source: AsyncIterator<Value, Return>): void {
    this.sources.set(key, source)
    this.read(key, source)
  }

  /** The next item of any source; a source whose item is `done` or an error is removed. */
  async take(): Promise<Settled<Key, Value, Return>> {
    if (this.toRead !== undefined) {
      const key = this.toRead
      this.toRead = undefined
      const source = this.sources.get(key)
      if (source !== undefined) this.read(key, source)
    }
    while (this.settled.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
    const item = this.settled.shift()!
    if (item.step === undefined || item.step.done === true) this.sources.delete(item.key)
    else this.toRead = item.key
    return item
  }

  /** Waits for the reads in flight (abort their sources first), then ends every source still open. */
  async close(): Promise<void> {
    await Promise.all(this.reading.values())
    const open = [...this.sources.values()]
    this.sources.clear()
    await Promise.all(open.map((source) => source.return?.(undefined as never)?.catch(() => {})))
  }

  private read(key: Key, source: AsyncIterator<Value, Return>): void {
    const reading = source.next().then(
      (step) => this.push({ key, step }),
      (error: unknown) => this.push({ key, error: error ?? new Error('A stream failed without an error.') }),
    )
    this.reading.set(key, reading)
  }

  private push(item: Settled<Key, Value, Return>): void {
    this.reading.delete(item.key)
    this.settled.push(item)
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}
