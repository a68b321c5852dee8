import type { ToolSpec } from '../model/model.js'
import type { Tool } from './tool.js'

/** The agent's tools by name. Duplicate names are a configuration error, caught at construction. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>()

  constructor(tools: readonly Tool[] = []) {
    for (const tool of tools) this.add(tool)
  }

  add(tool: Tool): void {
    if (this.tools.has(tool.name)) {
      throw new TypeError(`Two tools are named "${tool.name}": tool names must be unique within an agent.`)
    }
    this.tools.set(tool.name, tool)
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name)
  }

  get names(): string[] {
    return [...this.tools.keys()]
  }

  get size(): number {
    return this.tools.size
  }

  specs(): ToolSpec[] {
    return [...this.tools.values()].map((tool) => tool.toolSpec)
  }
}
