import type { Tool, ToolCallbackResult, ToolContext } from '../agent/agent-context.js'
import { describeThrownValue } from '../errors/describe-thrown-value.js'
import type { JsonObject, JsonValue } from '../types/json.js'
import type { ToolResult, ToolResultContent } from '../types/messages.js'
import { createInputValidator, type InputSchema, type InputValidator, toJsonSchema } from './input-schema.js'

export interface ToolDefinition<Input, Output> {
  name: string
  description: string
  /** A zod 4 schema (or any Standard Schema with `toJSONSchema()`), or a JSON Schema object. */
  inputSchema: InputSchema<Input>
  callback: (input: Input, context: ToolContext) => ToolCallbackResult<Output>
  timeoutMs?: number
  /** Cap on the result's text and JSON in characters; past it the result is cut with a note. Default 100 000. */
  maxResultChars?: number
  /**
   * Asks a person before each call (or when the function says so): the run ends with an interrupt named
   * `approval` whose reason is `{ tool, input }`; resume with `{ approved: true }` to run the callback, or
   * `{ approved: false, reason }` to give the model an error result instead.
   */
  needsApproval?: boolean | ((input: Input, context: ToolContext) => boolean | Promise<boolean>)
}

/** What an `approval` interrupt's response may be. */
export interface ApprovalResponse {
  approved: boolean
  /** Why it was denied; the model reads it. */
  reason?: string
}

const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/

/** Defines a tool. Input is validated against `inputSchema` before `callback` runs. */
export function tool<Input = JsonObject, Output = unknown>(definition: ToolDefinition<Input, Output>): Tool {
  if (!toolNamePattern.test(definition.name)) {
    throw new TypeError(
      `Tool name "${definition.name}" is invalid: use 1 to 64 letters, digits, "_" or "-" (providers reject other names).`,
    )
  }
  const validator: InputValidator = createInputValidator(definition.inputSchema)
  return {
    name: definition.name,
    description: definition.description,
    timeoutMs: definition.timeoutMs,
    maxResultChars: definition.maxResultChars,
    toolSpec: {
      name: definition.name,
      description: definition.description,
      inputSchema: toJsonSchema(definition.inputSchema),
    },
    validate: validator,
    invoke: (definition.needsApproval === undefined || definition.needsApproval === false
      ? definition.callback
      : withApproval(definition.name, definition.needsApproval, definition.callback)) as Tool['invoke'],
  }
}

function withApproval<Input, Output>(
  name: string,
  needsApproval: true | ((input: Input, context: ToolContext) => boolean | Promise<boolean>),
  callback: ToolDefinition<Input, Output>['callback'],
): (input: Input, context: ToolContext) => AsyncGenerator<JsonValue, unknown, undefined> {
  // A generator, so that a streaming callback still streams behind its approval.
  return async function* (input, context) {
    if (needsApproval === true || (await needsApproval(input, context))) {
      const response = context.interrupt('approval', { tool: name, input: toJson(input) })
      if (!isApproved(response)) {
        const reason =
          typeof response === 'object' && response !== null && 'reason' in response
            ? response.reason
            : undefined
        return {
          status: 'error',
          content: [
            {
              text: `Error: A person did not approve running tool "${name}"${typeof reason === 'string' && reason !== '' ? `: ${reason}` : '.'}`,
            },
          ],
        }
      }
    }
    const output = callback(input, context)
    if (isAsyncIterable(output)) return yield* output as AsyncGenerator<JsonValue, Output, undefined>
    return await output
  }
}

/** `true` and `{ approved: true }` approve; anything else denies. */
function isApproved(response: JsonValue): boolean {
  return (
    response === true ||
    (typeof response === 'object' &&
      response !== null &&
      !Array.isArray(response) &&
      response.approved === true)
  )
}

/** Shapes whatever a callback returned into tool-result content. Throws when it is not JSON. */
export function toToolResultContent(value: unknown): ToolResult['content'] {
  if (value === undefined || value === null) return [{ text: '' }]
  if (typeof value === 'string') return [{ text: value }]
  if (typeof value === 'number' || typeof value === 'boolean') return [{ text: String(value) }]
  if (isToolResultLike(value)) return value.content
  return [{ json: toJson(value) }]
}

/** A callback may return `{ status, content }` to set the status and content itself. */
export function isToolResultLike(
  value: unknown,
): value is { status: ToolResult['status']; content: ToolResultContent[] } {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { status?: unknown; content?: unknown }
  return (
    (candidate.status === 'success' || candidate.status === 'error') &&
    Array.isArray(candidate.content) &&
    Object.keys(candidate).every((key) => key === 'status' || key === 'content' || key === 'toolUseId')
  )
}

function toJson(value: unknown): JsonValue {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw new TypeError(`the tool returned a value that is not JSON (${describeThrownValue(error)})`)
  }
  if (text === undefined) throw new TypeError('the tool returned a value that is not JSON')
  return JSON.parse(text) as JsonValue
}

function isAsyncIterable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value && 'next' in value
}
