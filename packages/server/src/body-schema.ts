/** The Standard Schema interface (zod 4, valibot, arktype…), the part a route body needs. */
export interface BodySchema<Output = unknown> {
  readonly '~standard': {
    readonly validate: (value: unknown) => SchemaResult<Output> | Promise<SchemaResult<Output>>
  }
  /** zod 4 schemas have it; it feeds `/openapi.json`. */
  toJSONSchema?: () => unknown
}

export type SchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<SchemaIssue> }

export interface SchemaIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>
  /** zod adds these; other libraries may not. */
  readonly code?: string
  readonly expected?: string
  readonly minimum?: number | bigint
  readonly maximum?: number | bigint
  readonly origin?: string
  readonly keys?: readonly string[]
  readonly values?: readonly unknown[]
}

/** One entry of FastAPI's 422 `detail` list. */
export interface ValidationErrorDetail {
  type: string
  loc: (string | number)[]
  msg: string
  input?: unknown
}

/** Turns schema issues into FastAPI's 422 shape, so that clients written for FastAPI read them unchanged. */
export function toValidationErrors(
  issues: ReadonlyArray<SchemaIssue>,
  body: unknown,
): ValidationErrorDetail[] {
  return issues.slice(0, 50).map((issue) => {
    const path = (issue.path ?? []).map((part) =>
      typeof part === 'object' && part !== null && 'key' in part ? part.key : part,
    )
    const loc: (string | number)[] = [
      'body',
      ...path.map((part) => (typeof part === 'number' ? part : String(part))),
    ]
    const input = valueAt(body, path)
    const { type, msg } = describe(issue, input)
    const detail: ValidationErrorDetail = { type, loc, msg }
    if (input.found) detail.input = input.value
    return detail
  })
}

function describe(issue: SchemaIssue, input: { found: boolean }): { type: string; msg: string } {
  switch (issue.code) {
    case 'invalid_type':
      if (!input.found) return { type: 'missing', msg: 'Field required' }
      if (issue.expected === 'object') {
        return {
          type: 'model_attributes_type',
          msg: 'Input should be a valid dictionary or object to extract fields from',
        }
      }
      if (issue.expected === 'array') return { type: 'list_type', msg: 'Input should be a valid list' }
      return {
        type: `${issue.expected ?? 'value'}_type`,
        msg: `Input should be a valid ${issue.expected ?? 'value'}`,
      }
    case 'too_small':
      if (issue.origin === 'string') {
        return {
          type: 'string_too_short',
          msg: `String should have at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`,
        }
      }
      if (issue.origin === 'array') {
        return { type: 'too_short', msg: `List should have at least ${issue.minimum} items` }
      }
      return { type: 'greater_than_equal', msg: `Input should be greater than or equal to ${issue.minimum}` }
    case 'too_big':
      if (issue.origin === 'string') {
        return {
          type: 'string_too_long',
          msg: `String should have at most ${issue.maximum} character${issue.maximum === 1 ? '' : 's'}`,
        }
      }
      if (issue.origin === 'array') {
        return { type: 'too_long', msg: `List should have at most ${issue.maximum} items` }
      }
      return { type: 'less_than_equal', msg: `Input should be less than or equal to ${issue.maximum}` }
    case 'unrecognized_keys':
      return { type: 'extra_forbidden', msg: 'Extra inputs are not permitted' }
    case 'invalid_value':
      return { type: 'literal_error', msg: issue.message }
    default:
      return { type: 'value_error', msg: issue.message }
  }
}

function valueAt(body: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let current: unknown = body
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return { found: false }
    }
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current === undefined ? { found: false } : { found: true, value: current }
}
