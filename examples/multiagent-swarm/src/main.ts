// A Swarm: a researcher, a writer and an editor hand the task to one another with `handoff_to_agent`.

import { Agent, type Model, resolveModel } from '@agent/core'
import { ScriptedModel, type ScriptedTurn } from '@agent/core/testing'
import { Swarm } from '@agent/multiagent'

const task = process.argv[2] ?? 'Write a two-sentence note on why the sky is blue.'

// A real provider from the environment when there is one; otherwise canned replies, labelled as such.
const environmentModel = await resolveModel(undefined)
const scripted = environmentModel.provider === 'offline'
if (scripted) {
  console.error(
    '[demo] No provider configured: the swarm runs on SCRIPTED demo models (canned replies, not generated). ' +
      'Set OPENAI_API_KEY, AWS credentials or AGENT_MODEL to use a real model.',
  )
}
const model = (turns: ScriptedTurn[]): Model => (scripted ? new ScriptedModel(turns) : environmentModel)
const handoff = (target: string, message: string, context: Record<string, string>): ScriptedTurn => ({
  content: [
    { text: `Handing over to ${target}.` },
    { toolUse: { toolUseId: `to-${target}`, name: 'handoff_to_agent', input: { target, message, context } } },
  ],
})

const agent = (name: string, description: string, turns: ScriptedTurn[]) =>
  new Agent({
    name,
    description,
    systemPrompt: `You are the ${name} of a small team. ${description} Hand off when another member should continue.`,
    model: model(turns),
    callbackHandler: null,
  })

const swarm = new Swarm({
  agents: [
    agent('researcher', 'Finds the facts.', [
      handoff('writer', 'Write the note from these facts.', {
        facts: 'Air scatters short (blue) wavelengths most.',
      }),
    ]),
    agent('writer', 'Writes the text.', [
      handoff('editor', 'Polish this draft.', {
        draft: 'Air scatters blue light the most. So the sky looks blue.',
      }),
    ]),
    agent('editor', 'Polishes the final text and answers with it.', [
      {
        content: [
          {
            text: 'Sunlight holds every colour, but air scatters blue light the most. That is why the sky looks blue.',
          },
        ],
      },
    ]),
  ],
  maxHandoffs: 5,
  maxIterations: 6,
  executionTimeoutMs: 120_000,
  nodeTimeoutMs: 60_000,
  repetitiveHandoffDetection: { window: 4, minUniqueAgents: 2 },
})

for await (const event of swarm.stream(task)) {
  if (event.type === 'multi_agent_node_start') process.stdout.write(`[${event.node_id}] `)
  else if (event.type === 'multi_agent_node_stream' && event.event.type === 'data')
    process.stdout.write(event.event.data)
  else if (event.type === 'multi_agent_node_stop') process.stdout.write('\n')
  else if (event.type === 'multi_agent_handoff')
    console.log(`  → handoff ${event.from_node} → ${event.to_node}: ${event.message}`)
  else if (event.type === 'multi_agent_result') {
    const { status, nodeHistory, usage, executionTimeMs, text } = event.result
    console.log(
      `status: ${status}; agents: ${nodeHistory.join(' → ')}; tokens: ${usage.totalTokens}; ${executionTimeMs} ms`,
    )
    console.log(`answer: ${text}`)
  }
}
