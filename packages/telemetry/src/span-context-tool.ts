import type { Tool } from '@agent/core'
import { isAsyncGenerator } from '@agent/core/provider'
import { type Context, context } from '@opentelemetry/api'

/**
 * The same tool, its callback run inside `spanContext`, so that whatever it calls (HTTP clients, MCP
 * sessions, a sub-agent) records its spans under the tool's `execute_tool` span. A streaming tool's
 * generator is resumed inside the context on every step.
 */
export function toolInSpanContext(tool: Tool, spanContext: Context): Tool {
  return {
    name: tool.name,
    description: tool.description,
    toolSpec: tool.toolSpec,
    ...(tool.timeoutMs !== undefined && { timeoutMs: tool.timeoutMs }),
    validate: (input) => tool.validate(input),
    invoke: (input, toolContext) => {
      const output = context.with(spanContext, () => tool.invoke(input, toolContext))
      return isAsyncGenerator(output) ? generatorInContext(output, spanContext) : output
    },
  }
}

function generatorInContext<Yield, Return>(
  generator: AsyncGenerator<Yield, Return, undefined>,
  spanContext: Context,
): AsyncGenerator<Yield, Return, undefined> {
  const bound: AsyncGenerator<Yield, Return, undefined> = {
    next: () => context.with(spanContext, () => generator.next()),
    return: (value) => context.with(spanContext, () => generator.return(value)),
    throw: (error) => context.with(spanContext, () => generator.throw(error)),
    [Symbol.asyncIterator]: () => bound,
    [Symbol.asyncDispose]: async () => {
      await generator.return(undefined as Return)
    },
  }
  return bound
}
