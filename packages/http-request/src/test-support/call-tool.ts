import { Agent, type JsonObject, type JsonValue, type Tool, type ToolResult } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'

/** Runs the tool the way the agent does (input validation, error results) through `agent.tool`. */
export function directCaller(tool: Tool): (input: JsonValue) => Promise<ToolResult> {
  const agent = new Agent({ model: new ScriptedModel([]), tools: [tool], callbackHandler: null })
  return (input) => agent.tool[tool.name]!(input)
}

/** The summary block (status, url, redirects, headers, body facts) of a successful result. */
export function summaryOf(result: ToolResult): JsonObject & {
  status: number
  url: string
  redirects: Array<{ status: number; url: string }>
  headers: Record<string, string>
  body: { format: string; bytes: number; truncated: boolean; title?: string; notes?: string[] }
} {
  const block = result.content.find((content) => 'json' in content)
  if (block === undefined || !('json' in block)) {
    throw new Error(`expected a summary block, got ${JSON.stringify(result)}`)
  }
  return block.json as never
}

/** All text of a result (the body, or the error message). */
export function textOf(result: ToolResult): string {
  return result.content.map((content) => ('text' in content ? content.text : '')).join('')
}
