// The seed example: an agent with the calculator tool. With no provider configured it runs on the
// offline model, which hands the arithmetic to the calculator and answers from its result.
// Run: pnpm turbo run build --filter=@agent/example-calculator... && pnpm --filter @agent/example-calculator start
import { calculator } from '@agent/calculator'
import { Agent } from '@agent/core'

const agent = new Agent({ tools: [calculator] })

// Streams the answer as it is written (the default callback handler prints the text).
for await (const event of agent.stream('Calculate 2+2')) {
  if (event.type === 'tool_result') console.log(`\n[calculator → ${event.tool_result.content[0].text}]`)
}
console.log()

const result = await agent.invoke('What is 42+7?')
console.log(`\nresult: ${String(result)}`)

// The tool directly: every mode, outside the agent loop.
const calls = [
  { expression: '1/3', precision: 30 },
  { expression: '5 cm to inch', precision: 4 },
  { expression: 'x^2 * sin(x)', mode: 'derive' },
  { expression: 'x^2 - 3x + 2 = 0', mode: 'solve' },
  { expression: 'x^2', mode: 'integrate', point: [0, 3] },
  { expression: 'sin(x)/x', mode: 'limit', point: 0 },
  { expression: 'exp(x)', mode: 'series', order: 4 },
  { expression: '[2, 1; 1, 3]', mode: 'matrix' },
  { expression: 'cos.constructor("return process")()' },
]
for (const input of calls) {
  const toolResult = await agent.tool.calculator(input)
  console.log(
    `${JSON.stringify(input)}\n  ${toolResult.status}: ${toolResult.content[0].text.split('\n')[0]}`,
  )
}
