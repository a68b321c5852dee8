/** The Redis keys and channels of one run; `{runId}` is the hash tag, so a cluster keeps them on one node. */
export interface RunKeys {
  /** Hash: owner, retain, writer (the replica running it), ended. */
  meta: string
  /** Stream: one entry per batch of records, its id `<last sequence>-0`. */
  events: string
  /** Pub/sub: a batch was appended or the run ended. */
  wake: string
  /** Pub/sub to the writer: `stop`, or `read <sequence>` from a reader on another replica. */
  control: string
}

export function runKeys(prefix: string, runId: string): RunKeys {
  const base = `${prefix}run:{${runId}}`
  return { meta: `${base}:meta`, events: `${base}:events`, wake: `${base}:wake`, control: `${base}:control` }
}

/** The key a replica renews while it runs; readers of its runs check it to tell a dead writer. */
export function replicaKey(prefix: string, replicaId: string): string {
  return `${prefix}replica:${replicaId}`
}
