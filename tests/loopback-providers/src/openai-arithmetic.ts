import { arithmeticTurn, type ConversationView, words } from './arithmetic-turn.js'
import { chatEventStream, type RecordedRequest, type Reply } from './openai-loopback-server.js'

interface ChatMessage {
  role: string
  content?: string | { type: string; text?: string }[] | null
  tool_call_id?: string
  tool_calls?: { id: string; function: { arguments: string } }[]
}

/** A Chat Completions stream answering like a model that uses the calculator (see `arithmeticTurn`). */
export function openAIArithmeticReply(request: RecordedRequest): Reply {
  const body = request.body as { messages?: ChatMessage[]; tools?: { function?: { name?: string } }[] }
  if (
    request.method !== 'POST' ||
    !request.path.endsWith('/chat/completions') ||
    body?.messages === undefined
  ) {
    const message = `This loopback server answers POST /v1/chat/completions, not ${request.method} ${request.path}.`
    return { status: 404, body: JSON.stringify({ error: { message, type: 'invalid_request_error' } }) }
  }
  const turn = arithmeticTurn(view(body.messages, body.tools ?? []))
  const number = 1 + Math.floor(Math.random() * 1e9)
  const chunk = (delta: object, finishReason: string | null = null) => ({
    id: `chatcmpl-loopback-${number}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'loopback',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })
  const usage = {
    id: `chatcmpl-loopback-${number}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'loopback',
    choices: [],
    usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
  }
  if ('text' in turn) {
    return {
      sse: chatEventStream([
        chunk({ role: 'assistant', content: '' }),
        ...words(turn.text).map((word) => chunk({ content: word })),
        chunk({}, 'stop'),
        usage,
      ]),
    }
  }
  // The arguments arrive in two pieces, as real models stream them.
  const argumentsText = JSON.stringify({ expression: turn.calculate })
  const middle = Math.ceil(argumentsText.length / 2)
  return {
    sse: chatEventStream([
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            index: 0,
            id: `call_${number}`,
            type: 'function',
            function: { name: 'calculator', arguments: '' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(0, middle) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: argumentsText.slice(middle) } }] }),
      chunk({}, 'tool_calls'),
      usage,
    ]),
  }
}

function view(messages: ChatMessage[], tools: { function?: { name?: string } }[]): ConversationView {
  const last = messages.at(-1)
  const offersCalculator = tools.some((tool) => tool.function?.name === 'calculator')
  const question = textOf(messages.findLast((message) => message.role === 'user'))
  if (last?.role !== 'tool') return { question, offersCalculator }
  const call = messages
    .flatMap((message) => message.tool_calls ?? [])
    .find((toolCall) => toolCall.id === last.tool_call_id)
  const expression = call === undefined ? undefined : JSON.parse(call.function.arguments).expression
  return { question, offersCalculator, toolResult: { text: textOf(last), expression } }
}

function textOf(message: ChatMessage | undefined): string {
  const content = message?.content
  if (typeof content === 'string') return content
  return (content ?? []).map((part) => part.text ?? '').join('')
}
