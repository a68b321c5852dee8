import type { RunRecord, WireEvent } from '@agent/server'

/** A record read back from Redis: its JSON text and type; the event is parsed only if a reader asks. */
export class StoredRecord implements RunRecord {
  readonly sequence: number
  readonly type: string
  readonly json: string

  constructor(sequence: number, type: string, json: string) {
    this.sequence = sequence
    this.type = type
    this.json = json
  }

  get event(): WireEvent {
    return JSON.parse(this.json) as WireEvent
  }
}

/**
 * A batch of records as one stream entry: `f` the first sequence, `t` the types and `d` the JSON texts,
 * each joined by newlines (JSON text never holds a raw newline), and `e` when it ends the run.
 */
export type BatchFields = Record<string, string>

export class BatchBuffer {
  first = 0
  last = 0
  count = 0
  types = ''
  texts = ''

  add(record: RunRecord): void {
    if (this.count === 0) {
      this.first = record.sequence
    } else {
      this.types += '\n'
      this.texts += '\n'
    }
    this.types += record.type ?? record.event.type
    this.texts += record.json ?? JSON.stringify(record.event)
    this.last = record.sequence
    this.count++
  }

  /** The entry fields, and the buffer emptied. */
  take(): { id: string; fields: BatchFields } {
    const taken = { id: `${this.last}-0`, fields: { f: String(this.first), t: this.types, d: this.texts } }
    this.count = 0
    this.types = ''
    this.texts = ''
    return taken
  }
}

/** The records of the stream entries, those after `after` only. */
export function recordsOfEntries(
  entries: readonly { id: string; message: Record<string, string> }[],
  after: number,
  into: RunRecord[],
): { ended: boolean } {
  let ended = false
  for (const entry of entries) {
    const fields = entry.message
    if (fields.e !== undefined) ended = true
    if (fields.d === undefined || fields.d === '') continue
    const types = fields.t!.split('\n')
    const texts = fields.d.split('\n')
    let sequence = Number(fields.f)
    for (let index = 0; index < texts.length; index++, sequence++) {
      if (sequence > after) into.push(new StoredRecord(sequence, types[index]!, texts[index]!))
    }
  }
  return { ended }
}

export function sequenceOfId(id: string): number {
  return Number(id.slice(0, id.indexOf('-')))
}
