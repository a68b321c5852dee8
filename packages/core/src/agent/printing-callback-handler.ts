import type { AgentEvent } from '../events/agent-events.js'

/** The default callback handler: prints streamed text and announces each tool, like Strands' printing handler. */
export function createPrintingCallbackHandler(
  write: (text: string) => void = defaultWrite,
): (event: AgentEvent) => void {
  let toolCount = 0
  return (event) => {
    if (event.type === 'data') write(event.data)
    else if (event.type === 'model_stream' && 'contentBlockStart' in event.event) {
      const toolUse = event.event.contentBlockStart.start?.toolUse
      if (toolUse !== undefined) write(`\nTool #${++toolCount}: ${toolUse.name}\n`)
    } else if (event.type === 'result') write('\n')
  }
}

function defaultWrite(text: string): void {
  const stdout = (globalThis as { process?: { stdout?: { write(text: string): unknown } } }).process?.stdout
  if (stdout !== undefined) stdout.write(text)
  else console.log(text)
}
