import { tool } from '@agent/core'
import { z } from 'zod'

/** A `remove` tool that needs a person's approval and records the paths it removed (it touches no file). */
export function removalTool() {
  const removed: string[] = []
  const remove = tool({
    name: 'remove',
    description: 'Removes a file',
    inputSchema: z.object({ path: z.string() }),
    needsApproval: true,
    callback: ({ path }) => {
      removed.push(path)
      return `removed ${path}`
    },
  })
  return { remove, removed }
}
