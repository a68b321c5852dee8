// A user's app, compiled under `nodenext` against the installed tarballs: every package, through its public
// exports only. It exits non-zero when any answer differs from what the loopback server scripts.
import { BedrockModel } from '@agent/bedrock'
import { calculator } from '@agent/calculator'
import { Agent, type AgentResult } from '@agent/core'
import { ScriptedModel } from '@agent/core/testing'
import { createHttpRequestTool, httpRequest } from '@agent/http-request'
import { OpenAIModel } from '@agent/openai'
import { createAgentServer } from '@agent/server'
import { serve } from '@agent/server/node'

// `node dist/app.js <OpenAI base URL> <plain-text URL>`, both on the loopback server.
const [baseURL, helloURL] = process.argv.slice(2)
if (!baseURL || !helloURL) throw new Error('usage: node dist/app.js <OpenAI base URL> <plain-text URL>')

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`consumer check failed: ${message}`)
}

function openAIAgent(): Agent {
  const model = new OpenAIModel({
    modelId: 'consumer-model',
    clientArgs: { baseURL, apiKey: 'consumer-key' },
  })
  return new Agent({ model, tools: [calculator], callbackHandler: null })
}

// The model asks for the calculator (its worker thread runs from the installed package), then answers.
const result: AgentResult = await openAIAgent().invoke('Calculate 2+2')
check(String(result) === 'The answer is 4', `invoke answered ${JSON.stringify(String(result))}`)

// The same agent behind @agent/server, streamed over a real socket.
const server = await serve(createAgentServer({ agent: () => openAIAgent() }), { port: 0, signals: [] })
try {
  const response = await fetch(`${server.url}/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Calculate 2+2' }),
  })
  const streamed = await response.text()
  check(response.status === 200 && streamed.includes('The answer is 4'), `POST /stream answered ${streamed}`)
} finally {
  await server.close()
}

// http_request: loopback is refused by default and reachable once the operator allows it.
const requestWith = (tool: typeof httpRequest) =>
  new Agent({ model: new ScriptedModel([]), tools: [tool], callbackHandler: null }).tool.http_request({
    url: helloURL,
    method: 'GET',
  })
const refused = await requestWith(httpRequest)
check(refused.status === 'error', `the default policy let ${helloURL} through`)
const allowed = await requestWith(createHttpRequestTool({ allowedCidrs: ['127.0.0.1'] }))
check(
  JSON.stringify(allowed.content).includes('hello from loopback'),
  `allowed call gave ${JSON.stringify(allowed)}`,
)

// Bedrock: built from options alone (no AWS call is made).
const bedrock = new BedrockModel({ modelId: 'consumer-model', region: 'us-east-1' })
check(typeof bedrock.stream === 'function', 'BedrockModel has no stream()')

console.log(`consumer app ok on Node ${process.version}`)
