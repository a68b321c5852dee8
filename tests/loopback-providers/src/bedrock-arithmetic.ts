import { arithmeticTurn, type ConversationView, words } from './arithmetic-turn.js'
import type { LoopbackReply, RecordedRequest, WireFrame } from './bedrock-loopback-server.js'

interface Block {
  text?: string
  toolUse?: { toolUseId: string; name: string; input: { expression?: string } }
  toolResult?: { toolUseId: string; content: { text?: string; json?: unknown }[]; status?: string }
}
interface ConverseBody {
  messages?: { role: string; content: Block[] }[]
  toolConfig?: { tools?: { toolSpec?: { name?: string } }[] }
}

const usage = { inputTokens: 20, outputTokens: 8, totalTokens: 28 }

/**
 * Bedrock's answer to Converse or ConverseStream from a model that uses the calculator (see `arithmeticTurn`):
 * event-stream frames for `/converse-stream`, a JSON body for `/converse`.
 */
export function bedrockArithmeticReply(request: RecordedRequest): LoopbackReply {
  const body = request.body as ConverseBody
  const streaming = request.path.endsWith('/converse-stream')
  if (!(streaming || request.path.endsWith('/converse')) || body.messages === undefined) {
    return {
      status: 400,
      headers: { 'x-amzn-errortype': 'ValidationException' },
      body: { message: `This loopback Bedrock answers Converse and ConverseStream, not ${request.path}.` },
    }
  }
  const turn = arithmeticTurn(view(body))
  const toolUseId = `tooluse_loopback_${1 + Math.floor(Math.random() * 1e9)}`
  if (!streaming) {
    const content =
      'text' in turn
        ? [{ text: turn.text }]
        : [{ toolUse: { toolUseId, name: 'calculator', input: { expression: turn.calculate } } }]
    return {
      status: 200,
      body: {
        output: { message: { role: 'assistant', content } },
        stopReason: 'text' in turn ? 'end_turn' : 'tool_use',
        usage,
        metrics: { latencyMs: 1 },
      },
    }
  }
  const frames: WireFrame[] = [{ event: 'messageStart', payload: { role: 'assistant' } }]
  if ('text' in turn) {
    for (const piece of words(turn.text))
      frames.push({ event: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: piece } } })
  } else {
    const input = JSON.stringify({ expression: turn.calculate })
    frames.push(
      {
        event: 'contentBlockStart',
        payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId, name: 'calculator' } } },
      },
      ...[input.slice(0, 8), input.slice(8)].map((piece) => ({
        event: 'contentBlockDelta',
        payload: { contentBlockIndex: 0, delta: { toolUse: { input: piece } } },
      })),
    )
  }
  frames.push(
    { event: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    { event: 'messageStop', payload: { stopReason: 'text' in turn ? 'end_turn' : 'tool_use' } },
    { event: 'metadata', payload: { usage, metrics: { latencyMs: 1 } } },
  )
  return { frames }
}

function view(body: ConverseBody): ConversationView {
  const messages = body.messages ?? []
  const offersCalculator = (body.toolConfig?.tools ?? []).some((tool) => tool.toolSpec?.name === 'calculator')
  const typed = messages.findLast(
    (message) => message.role === 'user' && message.content.some((block) => block.text !== undefined),
  )
  const question = (typed?.content ?? []).map((block) => block.text ?? '').join(' ')
  const result = messages.at(-1)?.content.find((block) => block.toolResult !== undefined)?.toolResult
  if (result === undefined) return { question, offersCalculator }
  const expression = messages
    .flatMap((message) => message.content)
    .find((block) => block.toolUse?.toolUseId === result.toolUseId)?.toolUse?.input.expression
  const text = result.content.map((part) => part.text ?? '').join('\n')
  return { question, offersCalculator, toolResult: { text, expression } }
}
