/** Everything a stream produced: its events, its return value, or the error that ended it. */
export interface CollectedStream<Event, Result> {
  events: Event[]
  result: Result | undefined
  error: unknown
}

/** Drains a stream without throwing, for assertions on what it yielded and how it ended. */
export async function collectStream<Event, Result>(
  stream: AsyncGenerator<Event, Result>,
): Promise<CollectedStream<Event, Result>> {
  const events: Event[] = []
  try {
    let step = await stream.next()
    while (!step.done) {
      events.push(step.value)
      step = await stream.next()
    }
    return { events, result: step.value, error: undefined }
  } catch (error) {
    return { events, result: undefined, error }
  }
}

/** The event types in order, the quickest way to assert the stream contract. */
export function eventTypes(events: readonly { type: string }[]): string[] {
  return events.map((event) => {
    if (event.type === 'model_stream') {
      return `model_stream:${Object.keys((event as unknown as { event: object }).event)[0]}`
    }
    return event.type
  })
}
