import type { JsonObject } from '../types/json.js'

/** The Standard Schema interface (zod 4, valibot, arktype…), the part we use. */
export interface StandardSchema<Output = unknown> {
  readonly '~standard': {
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
  }
  /** zod 4 schemas have it; other libraries need a JSON Schema given separately. */
  toJSONSchema?: () => unknown
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<unknown> }> }

export type InputSchema<Input = unknown> = StandardSchema<Input> | JsonObject

export type InputValidator = (
  input: unknown,
) => Promise<{ ok: true; value: unknown } | { ok: false; message: string }>

export function isStandardSchema(value: unknown): value is StandardSchema {
  return typeof value === 'object' && value !== null && '~standard' in value
}

/** The JSON Schema a model is shown for this input schema. */
export function toJsonSchema(schema: InputSchema): JsonObject {
  if (!isStandardSchema(schema)) return schema
  if (typeof schema.toJSONSchema !== 'function') {
    throw new TypeError(
      'This schema library cannot produce JSON Schema: pass a zod 4 schema or a JSON Schema object.',
    )
  }
  const { $schema: _ignored, ...jsonSchema } = schema.toJSONSchema() as JsonObject
  return jsonSchema
}

/**
 * Builds the validator. zod is a peer dependency loaded only when a plain JSON Schema needs it,
 * so importing @agent/core stays cheap.
 */
export function createInputValidator(schema: InputSchema): InputValidator {
  let standard: StandardSchema | Promise<StandardSchema> | undefined = isStandardSchema(schema)
    ? schema
    : undefined
  if (standard === undefined) {
    // Start loading zod now, in the background, so that the first tool call does not wait for it.
    const loading = import('zod').then(
      ({ z }) => z.fromJSONSchema(schema as never) as unknown as StandardSchema,
    )
    loading.catch(() => {})
    standard = loading
  }
  return async (input) => {
    const result = await (await standard)['~standard'].validate(input)
    if (result.issues === undefined) return { ok: true, value: result.value }
    return { ok: false, message: describeIssues(result.issues) }
  }
}

function describeIssues(issues: ReadonlyArray<{ message: string; path?: ReadonlyArray<unknown> }>): string {
  return issues
    .slice(0, 10)
    .map((issue) => {
      const path = (issue.path ?? []).map((part) =>
        typeof part === 'object' && part !== null && 'key' in part ? part.key : part,
      )
      return path.length > 0 ? `${path.join('.')}: ${issue.message}` : issue.message
    })
    .join('; ')
}
