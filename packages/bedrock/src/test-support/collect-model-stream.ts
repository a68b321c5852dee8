import type { ModelStreamEvent } from '@agent/core'

/** Everything a model stream yielded, and the error that ended it (if any), without throwing. */
export async function collectModelStream(
  stream: AsyncIterable<ModelStreamEvent>,
): Promise<{ events: ModelStreamEvent[]; error: any }> {
  const events: ModelStreamEvent[] = []
  try {
    for await (const event of stream) events.push(event)
    return { events, error: undefined }
  } catch (error) {
    return { events, error }
  }
}
