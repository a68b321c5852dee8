import type { Tool } from '../agent/agent-context.js'
import { StructuredOutputError } from '../errors/invocation-errors.js'
import type { StandardSchema } from '../tools/input-schema.js'
import { tool } from '../tools/tool.js'
import { ToolRegistry } from '../tools/tool-registry.js'
import type { JsonValue } from '../types/json.js'
import type { ToolUse } from '../types/messages.js'

/** The tool the model calls to hand over structured output. */
export const structuredOutputToolName = 'structured_output'

/** Model attempts at valid output that may fail before the run ends with `StructuredOutputError`. */
const allowedFailures = 2

/**
 * One invocation's structured output: a tool built from the schema (the model's input is validated by it),
 * the value once valid, and how often the model failed to produce it.
 */
export class StructuredOutputRun {
  readonly tool: Tool
  readonly registry: ToolRegistry
  /** True once the model must call the output tool (`toolChoice: { tool }`). */
  forced = false
  captured = false
  value: JsonValue | undefined
  private failures = 0

  constructor(schema: StandardSchema, tools: ToolRegistry) {
    if (tools.get(structuredOutputToolName) !== undefined) {
      throw new TypeError(
        `The agent has a tool named "${structuredOutputToolName}", which structured output needs: rename that tool.`,
      )
    }
    this.tool = tool({
      name: structuredOutputToolName,
      description:
        'Hand over the final answer as structured data. Call this exactly once, with input that matches the schema, when you have the answer.',
      inputSchema: schema as StandardSchema<JsonValue>,
      callback: (input: JsonValue) => {
        if (!this.captured) {
          this.captured = true
          this.value = input
        }
        return 'Structured output received.'
      },
    })
    this.registry = new ToolRegistry([...tools.names.map((name) => tools.get(name)!), this.tool])
  }

  get toolChoice(): { tool: { name: string } } {
    return { tool: { name: structuredOutputToolName } }
  }

  /** The instruction added when the model ended its turn without calling the output tool. */
  get instruction(): string {
    return `Respond now by calling the ${structuredOutputToolName} tool with your final answer as input matching its schema.`
  }

  calledIn(toolUses: readonly ToolUse[]): boolean {
    return toolUses.some((toolUse) => toolUse.name === structuredOutputToolName)
  }

  /** Counts a failed attempt; throws once the corrective retry has failed too. */
  recordFailure(what: string): void {
    this.failures++
    if (this.failures >= allowedFailures) {
      throw new StructuredOutputError(
        `The model did not produce valid structured output after ${this.failures} attempts (${what}). Simplify the schema, describe it in the prompt, or use a more capable model.`,
      )
    }
  }
}
