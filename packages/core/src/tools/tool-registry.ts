import type { AgentTools, Tool, ToolProvider } from '../agent/agent-context.js'
import { isToolProvider } from '../agent/agent-context.js'
import type { ToolSpec } from '../model/model.js'

/**
 * The agent's tools by name: its own tools plus those its tool providers list. Duplicate names are a
 * configuration error, caught at construction for tools and at loading for providers.
 */
export class ToolRegistry implements AgentTools {
  private readonly own = new Map<string, Tool>()
  private readonly providers: ToolProvider[] = []
  /** Own tools followed by the providers' tools as last loaded. */
  private tools = new Map<string, Tool>()

  constructor(tools: readonly (Tool | ToolProvider)[] = []) {
    for (const entry of tools) {
      if (isToolProvider(entry)) this.providers.push(entry)
      else this.add(entry)
    }
  }

  add(tool: Tool): void {
    if (this.tools.has(tool.name)) {
      throw new TypeError(`Two tools are named "${tool.name}": tool names must be unique within an agent.`)
    }
    this.own.set(tool.name, tool)
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

  /** True when some tools come from providers, so `load` has work to do. */
  get hasProviders(): boolean {
    return this.providers.length > 0
  }

  /** Asks every provider for its current tools. Returns true when the list of tools changed. */
  async load(signal: AbortSignal): Promise<boolean> {
    if (this.providers.length === 0) return false
    const lists = await Promise.all(this.providers.map((provider) => provider.loadTools(signal)))
    const next = new Map(this.own)
    lists.forEach((list, index) => {
      for (const tool of list) {
        if (next.has(tool.name)) {
          throw new TypeError(
            `Tool provider "${this.providers[index]!.name}" lists a tool named "${tool.name}", which another tool already has: give the provider a prefix or filter its tools.`,
          )
        }
        next.set(tool.name, tool)
      }
    })
    const changed =
      next.size !== this.tools.size || [...next].some(([name, tool]) => this.tools.get(name) !== tool)
    this.tools = next
    return changed
  }

  /** Closes every provider, even when one fails; throws the first failure afterwards. */
  async close(): Promise<void> {
    const outcomes = await Promise.allSettled(this.providers.map((provider) => provider.close?.()))
    const failure = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason
  }
}
