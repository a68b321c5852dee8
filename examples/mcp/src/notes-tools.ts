import { tool } from '@agent/core'

const notes: string[] = ['Buy bolts', 'Call the supplier']

/** The tools the example's MCP server offers. */
export const notesTools = [
  tool({
    name: 'list_notes',
    description: 'Lists the notes',
    inputSchema: { type: 'object', properties: {} },
    callback: () => notes.map((note, index) => `${index + 1}. ${note}`).join('\n'),
  }),
  tool({
    name: 'add_note',
    description: 'Adds a note',
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string', maxLength: 200 } },
      required: ['text'],
    },
    callback: ({ text }) => {
      notes.push(String(text))
      return `Added note ${notes.length}`
    },
  }),
]
