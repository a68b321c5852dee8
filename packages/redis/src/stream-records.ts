import { type RunRecord, SerializedRecord } from '@agent/server'

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
      if (sequence > after) into.push(new SerializedRecord(sequence, types[index]!, texts[index]!))
    }
  }
  return { ended }
}

export function sequenceOfId(id: string): number {
  return Number(id.slice(0, id.indexOf('-')))
}

// Separates the parts of an announcement; JSON text never holds a raw control character.
const separator = '\u0001'

/** The wake message of a batch: the batch itself, so that readers subscribed to it need no read. */
export function announcement(fields: BatchFields): string {
  return `${fields.f}${separator}${fields.t}${separator}${fields.d}`
}

/**
 * The records announced and not yet read on this replica (contiguous, bounded). A read takes them; a second
 * reader of the same run on this replica, or one that fell behind, reads the stream instead.
 */
export class AnnouncedRecords {
  private records: RunRecord[] = []
  private lastSequence = -1
  private readonly limit: number

  constructor(limit = 1024) {
    this.limit = limit
  }

  /** Adds the records of an announcement (or just a sequence); returns the last sequence it names. */
  add(message: string): number {
    const first = message.indexOf(separator)
    if (first < 0) return Number(message)
    const second = message.indexOf(separator, first + 1)
    const start = Number(message.slice(0, first))
    const types = message.slice(first + 1, second).split('\n')
    const texts = message.slice(second + 1).split('\n')
    // A gap (an announcement missed while reconnecting): only what follows it is known.
    if (this.lastSequence + 1 !== start) this.records = []
    for (let index = 0; index < texts.length; index++) {
      this.records.push(new SerializedRecord(start + index, types[index]!, texts[index]!))
    }
    if (this.records.length > this.limit) this.records = this.records.slice(this.records.length - this.limit)
    this.lastSequence = start + texts.length - 1
    return this.lastSequence
  }

  /** The records after `after`, when they are all here; `undefined` when the stream must be read. */
  after(after: number): RunRecord[] | undefined {
    const first = this.records[0]
    if (first === undefined || first.sequence > after + 1) return undefined
    const start = after + 1 - first.sequence
    if (start >= this.records.length) return undefined
    const taken = start === 0 ? this.records : this.records.slice(start)
    this.records = []
    return taken
  }
}
