// A Graph: two research branches run at once, a writer joins them, a function node checks the length.

import { Agent, type Model, resolveModel } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { GraphBuilder } from '@agent/multiagent'

const topic = process.argv[2] ?? 'the colour of the sky'

// A real provider from the environment when there is one; otherwise canned replies, labelled as such.
const environmentModel = await resolveModel(undefined)
const scripted = environmentModel.provider === 'offline'
if (scripted) {
  console.error(
    '[demo] No provider configured: the graph runs on SCRIPTED demo models (canned replies, not generated). ' +
      'Set OPENAI_API_KEY, AWS credentials or AGENT_MODEL to use a real model.',
  )
}
// The scripted replies stream a word every few milliseconds, so that the two branches visibly overlap.
const model = (text: string): Model =>
  scripted ? new ScriptedModel([{ content: [{ text }] }], { delayMs: 5 }) : environmentModel

const agent = (name: string, systemPrompt: string, scriptedReply: string) =>
  new Agent({ name, systemPrompt, model: model(scriptedReply), callbackHandler: null })

const graph = new GraphBuilder()
  .addNode(
    agent(
      'science',
      'Give the physics, in two sentences.',
      'Air molecules scatter short blue wavelengths far more than red ones.',
    ),
  )
  .addNode(
    agent(
      'history',
      'Give the history of the question, in two sentences.',
      'Tyndall and Rayleigh explained it in the nineteenth century.',
    ),
  )
  .addNode(
    agent(
      'writer',
      'Write one paragraph from the inputs you are given.',
      'Rayleigh showed that air scatters blue light most, which is why the sky looks blue.',
    ),
  )
  .addNode(({ results }) => {
    const words = results.writer!.text.split(/\s+/).filter(Boolean).length
    return { words, short: words <= 60 }
  }, 'check_length')
  .addEdge('science', 'writer')
  .addEdge('history', 'writer')
  .addEdge('writer', 'check_length', (state) => state.results.writer!.status === 'completed')
  .setExecutionTimeout(120_000)
  .setNodeTimeout(60_000)
  .build()

let speaker = ''
for await (const event of graph.stream(`Explain ${topic}.`)) {
  if (event.type === 'multi_agent_node_start') {
    speaker = ''
    console.log(`▶ ${event.node_id} started`)
  } else if (event.type === 'multi_agent_node_stream' && event.event.type === 'data') {
    // Parallel branches interleave here, exactly as their words arrived.
    if (speaker !== event.node_id) process.stdout.write(`${speaker === '' ? '' : '\n'}  [${event.node_id}] `)
    speaker = event.node_id
    process.stdout.write(event.event.data)
  } else if (event.type === 'multi_agent_node_stop') {
    if (speaker !== '') process.stdout.write('\n')
    speaker = ''
    const { status, text } = event.node_result
    console.log(`■ ${event.node_id} ${status}${event.node_result.nodeType === 'function' ? `: ${text}` : ''}`)
  } else if (event.type === 'multi_agent_result') {
    const { status, executionOrder, usage } = event.result
    console.log(`status: ${status}; finished: ${executionOrder.join(', ')}; tokens: ${usage.totalTokens}`)
  }
}
