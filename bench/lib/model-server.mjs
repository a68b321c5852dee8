// The loopback OpenAI-compatible model server, run in its own process so its CPU is not the client's.
// Replies are pre-encoded SSE: the per-request work is parsing the request and writing ready buffers.
// It prints `{"port": N}` on stdout once listening, counts requests per run tag (GET /stats?tag=…),
// and answers 400 to any request that breaks the script (wrong tool result, missing stream flag).
import { createServer } from 'node:http'
import { parseModelId, tokens, toolRound, toolScenarioAnswerDeltas } from './wire-script.mjs'

/** Chunks per write: fixed, so both variants see the same read pattern. */
const chunksPerWrite = Number(process.env.BENCH_SSE_CHUNKS_PER_WRITE ?? 32)
const created = 1770933892
const head = `{"id":"chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0","object":"chat.completion.chunk","created":${created},"model":"gpt-4.1-nano-2025-04-14","service_tier":"default","system_fingerprint":"fp_de604bd877","choices":`

function frame(choices, tail = ',"usage":null') {
  return `data: ${head}${choices}${tail}}\n\n`
}

function contentFrame(token, index) {
  return frame(
    `[{"index":0,"delta":{"content":${JSON.stringify(token)}},"logprobs":null,"finish_reason":null}]`,
    `,"usage":null,"obfuscation":"${'abcdefgh'.slice(0, 1 + (index % 8))}"`,
  )
}

const roleFrame = Buffer.from(
  frame(
    '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]',
  ),
)
const tokenFrames = tokens.map((token, index) => contentFrame(token, index))
// chunksPerWrite is a multiple of tokens.length in practice; build the block from the cycle either way.
const fullBlock = Buffer.from(
  Array.from({ length: chunksPerWrite }, (_, index) => tokenFrames[index % tokens.length]).join(''),
)
const blockIsCyclic = chunksPerWrite % tokens.length === 0

function finishFrame(reason) {
  return frame(`[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]`)
}

function usageFrame(completionTokens) {
  return frame(
    '[]',
    `,"usage":{"prompt_tokens":16,"completion_tokens":${completionTokens},"total_tokens":${16 + completionTokens},"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`,
  )
}

const done = Buffer.from('data: [DONE]\n\n')

// The Responses API: named events, one text item, in the shape of recorded OpenAI traffic.
function responsesFrame(type, fields) {
  return `event: ${type}\ndata: {"type":"${type}",${fields}}\n\n`
}
const responsesItem =
  '{"id":"msg_0b1c","type":"message","status":"in_progress","content":[],"role":"assistant"}'
const responsesHead = Buffer.from(
  responsesFrame(
    'response.created',
    '"sequence_number":0,"response":{"id":"resp_0b1c","object":"response","status":"in_progress","output":[]}',
  ) +
    responsesFrame(
      'response.output_item.added',
      `"sequence_number":1,"output_index":0,"item":${responsesItem}`,
    ) +
    responsesFrame(
      'response.content_part.added',
      '"sequence_number":2,"item_id":"msg_0b1c","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"text":""}',
    ),
)
const responsesTokenFrames = tokens.map((token) =>
  responsesFrame(
    'response.output_text.delta',
    `"sequence_number":3,"item_id":"msg_0b1c","output_index":0,"content_index":0,"delta":${JSON.stringify(token)},"logprobs":[],"obfuscation":"abcd"`,
  ),
)

async function streamResponsesText(response, deltas) {
  await write(response, responsesHead)
  await writeFrames(response, responsesTokenFrames, 0, deltas)
  await write(
    response,
    responsesFrame(
      'response.output_item.done',
      '"sequence_number":4,"output_index":0,"item":{"id":"msg_0b1c","type":"message","status":"completed","role":"assistant"}',
    ) +
      responsesFrame(
        'response.completed',
        `"sequence_number":5,"response":{"id":"resp_0b1c","object":"response","status":"completed","usage":{"input_tokens":16,"output_tokens":${deltas},"total_tokens":${16 + deltas}}}`,
      ),
  )
}
const stopTail = Buffer.from(finishFrame('stop'))
const stats = new Map()

function statsFor(tag) {
  let entry = stats.get(tag)
  if (entry === undefined) {
    entry = { requests: 0, rejected: 0, completed: 0, disconnected: 0 }
    stats.set(tag, entry)
  }
  return entry
}

function write(response, buffer) {
  if (response.write(buffer)) return undefined
  return new Promise((resolve) => {
    const settle = () => {
      response.off('drain', settle)
      response.off('close', settle)
      resolve()
    }
    response.on('drain', settle)
    response.on('close', settle)
  })
}

/** Writes delta frames `sent` to `deltas` (cycling through the tokens), `chunksPerWrite` per write. */
async function writeFrames(response, frames, sent, deltas) {
  while (sent < deltas && !response.destroyed) {
    const count = Math.min(chunksPerWrite, deltas - sent)
    let text = ''
    for (let index = 0; index < count; index++) text += frames[(sent + index) % tokens.length]
    const waiting = write(response, text)
    if (waiting !== undefined) await waiting
    sent += count
  }
}

async function streamText(response, deltas, includeUsage) {
  await write(response, roleFrame)
  let sent = 0
  if (blockIsCyclic) {
    while (deltas - sent >= chunksPerWrite && !response.destroyed) {
      const waiting = write(response, fullBlock)
      if (waiting !== undefined) await waiting
      sent += chunksPerWrite
    }
  }
  await writeFrames(response, tokenFrames, sent, deltas)
  await write(response, stopTail)
  if (includeUsage) await write(response, usageFrame(deltas))
}

async function streamToolCall(response, round, tag, includeUsage) {
  const { argumentPieces } = toolRound(round)
  let text = frame(
    `[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_${tag}_${round}","type":"function","function":{"name":"add","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]`,
  )
  for (const piece of argumentPieces) {
    text += frame(
      `[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]},"logprobs":null,"finish_reason":null}]`,
    )
  }
  text += finishFrame('tool_calls')
  if (includeUsage) text += usageFrame(argumentPieces.length + 5)
  await write(response, text)
}

/** Checks the tool messages of a tools-scenario request; returns the round to answer or an error text. */
function toolRoundOf(body, rounds, tag) {
  const toolMessages = body.messages.filter((message) => message.role === 'tool')
  for (let round = 0; round < toolMessages.length; round++) {
    const message = toolMessages[round]
    const content =
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => part.text ?? '').join('')
    if (message.tool_call_id !== `call_${tag}_${round}`) return `tool message ${round} answers the wrong call`
    if (!content.includes(toolRound(round).expectedResult)) return `tool result ${round} is wrong: ${content}`
  }
  if (toolMessages.length > rounds) return 'more tool results than rounds'
  if (!Array.isArray(body.tools) || body.tools.length !== 1) return 'the request must offer the one tool'
  return toolMessages.length
}

function reject(response, entry, message) {
  entry.rejected++
  response.writeHead(400, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: null } }))
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  if (request.method === 'GET' && request.url.startsWith('/stats')) {
    const tag = new URL(request.url, 'http://127.0.0.1').searchParams.get('tag')
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(
      JSON.stringify(stats.get(tag) ?? { requests: 0, rejected: 0, completed: 0, disconnected: 0 }),
    )
    stats.delete(tag)
    return
  }
  const responsesApi = request.url === '/v1/responses'
  if (request.method !== 'POST' || (request.url !== '/v1/chat/completions' && !responsesApi)) {
    response.writeHead(404).end()
    return
  }
  const parts = []
  request.on('data', (part) => parts.push(part))
  request.on('end', async () => {
    let body
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'))
    } catch {
      response.writeHead(400).end('{"error":{"message":"invalid JSON"}}')
      return
    }
    const script = parseModelId(body.model)
    if (script === undefined) {
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { message: `unknown bench model ${body.model}` } }))
      return
    }
    const entry = statsFor(script.tag)
    entry.requests++
    if (body.stream !== true) return reject(response, entry, 'the bench server only streams')
    const includeUsage = body.stream_options?.include_usage === true
    if (responsesApi && script.kind !== 'text') {
      return reject(response, entry, 'the Responses script streams text only')
    }
    const round = script.kind === 'tools' ? toolRoundOf(body, script.count, script.tag) : 0
    if (typeof round === 'string') return reject(response, entry, round)
    response.on('close', () => {
      if (!response.writableFinished) entry.disconnected++
    })
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${script.tag}_${entry.requests}`,
    })
    if (responsesApi) {
      await streamResponsesText(response, script.count)
      if (response.destroyed) return
      response.end()
      entry.completed++
      return
    }
    if (script.kind === 'text') await streamText(response, script.count, includeUsage)
    else if (round < script.count) await streamToolCall(response, round, script.tag, includeUsage)
    else await streamText(response, toolScenarioAnswerDeltas, includeUsage)
    if (response.destroyed) return
    response.end(done)
    entry.completed++
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
})
// The runner keeps our stdin open; when it ends (the runner exited or crashed), so do we.
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
process.on('SIGTERM', () => process.exit(0))
