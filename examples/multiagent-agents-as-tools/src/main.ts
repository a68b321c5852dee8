// An orchestrator that calls a researcher and a writer as tools, printing their work as it happens.

import { Agent, type Model, resolveModel } from '@agent/core'
import { ScriptedModel, type ScriptedTurn } from '@agent/core/testing'
import { type AgentToolStreamData, agentAsTool } from '@agent/multiagent'

const topic = process.argv[2] ?? 'why the sky is blue'

// A real provider from the environment when there is one; otherwise canned replies, labelled as such.
const environmentModel = await resolveModel(undefined)
const scripted = environmentModel.provider === 'offline'
if (scripted) {
  console.error(
    '[demo] No provider configured: the agents run on SCRIPTED demo models (canned replies, not generated). ' +
      'Set OPENAI_API_KEY, AWS credentials or AGENT_MODEL to use a real model.',
  )
}
const model = (turns: ScriptedTurn[]): Model => (scripted ? new ScriptedModel(turns) : environmentModel)
const callTool = (name: string, input: string): ScriptedTurn => ({
  content: [{ toolUse: { toolUseId: `call-${name}`, name, input: { input } } }],
})

const researcher = new Agent({
  name: 'researcher',
  description: 'Finds the key facts on a topic and lists them briefly.',
  systemPrompt: 'You are a researcher. Answer with three short, accurate facts.',
  model: model([
    {
      content: [
        {
          text: 'Sunlight holds every colour. Air molecules scatter blue light most. So the sky looks blue.',
        },
      ],
    },
  ]),
  callbackHandler: null,
})

const writer = new Agent({
  name: 'writer',
  description: 'Turns facts into one clear paragraph for a general reader.',
  systemPrompt: 'You are a writer. Write one short paragraph from the facts you are given.',
  model: model([
    {
      content: [
        {
          text: 'Sunlight mixes all colours, and the air scatters the blue part of it across the whole sky.',
        },
      ],
    },
  ]),
  callbackHandler: null,
})

const orchestrator = new Agent({
  name: 'orchestrator',
  systemPrompt:
    'Ask the researcher for facts, then the writer for a paragraph from them; reply with the paragraph.',
  tools: [agentAsTool(researcher), writer.asTool({ description: 'Writes a paragraph from facts.' })],
  model: model([
    callTool('researcher', `Key facts about ${topic}`),
    callTool('writer', 'Write a paragraph from: sunlight holds every colour; air scatters blue most.'),
    {
      content: [
        {
          text: 'Here it is: sunlight mixes all colours, and the air scatters the blue part across the sky.',
        },
      ],
    },
  ]),
  callbackHandler: null,
})

let speaker = ''
const say = (who: string, text: string) => {
  if (who !== speaker) process.stdout.write(`${speaker === '' ? '' : '\n'}[${who}] `)
  speaker = who
  process.stdout.write(text)
}

for await (const event of orchestrator.stream(`Explain ${topic}.`)) {
  if (event.type === 'data') say('orchestrator', event.data)
  else if (event.type === 'tool_stream') {
    // A sub-agent's own event, as it happens.
    const { agent, event: inner } = event.tool_stream_event.data as unknown as AgentToolStreamData
    if (inner.type === 'data') say(agent, inner.data)
  } else if (event.type === 'tool_result') {
    say('orchestrator', `(${event.tool_result.status === 'success' ? 'got an answer' : 'tool failed'}) `)
  }
}
process.stdout.write('\n')
