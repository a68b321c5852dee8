import type { BodySchema } from './body-schema.js'

export interface RouteDocumentation {
  summary?: string
  description?: string
  tags?: string[]
  /**
   * Media types of a successful response, e.g. `['text/plain']` for a `StreamingResponse`; `[]` for no body.
   * Default `application/json`.
   */
  produces?: string[]
  /** The status of a successful response. Default 200. */
  successStatus?: number
  /** Extra responses by status, e.g. `{ 409: 'The session is busy' }`. */
  responses?: Record<number, string>
}

export interface DocumentedRoute {
  method: string
  path: string
  body?: BodySchema
  bodyName?: string
  documentation: RouteDocumentation
}

export interface OpenAPIInfo {
  title: string
  version: string
  description?: string
}

export type OpenAPIDocument = Record<string, unknown>

const validationErrorSchema = {
  title: 'ValidationError',
  type: 'object',
  required: ['loc', 'msg', 'type'],
  properties: {
    loc: { title: 'Location', type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
    msg: { title: 'Message', type: 'string' },
    type: { title: 'Error Type', type: 'string' },
    input: { title: 'Input' },
  },
}

const httpValidationErrorSchema = {
  title: 'HTTPValidationError',
  type: 'object',
  properties: {
    detail: { title: 'Detail', type: 'array', items: { $ref: '#/components/schemas/ValidationError' } },
  },
}

const errorSchema = {
  title: 'HTTPError',
  type: 'object',
  properties: { detail: { title: 'Detail' } },
}

/** An OpenAPI 3.1 document for the routes, with body schemas from their JSON Schema (zod 4: `toJSONSchema`). */
export function buildOpenAPIDocument(info: OpenAPIInfo, routes: readonly DocumentedRoute[]): OpenAPIDocument {
  const paths: Record<string, Record<string, unknown>> = {}
  const schemas: Record<string, unknown> = {
    HTTPError: errorSchema,
    HTTPValidationError: httpValidationErrorSchema,
    ValidationError: validationErrorSchema,
  }
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}')
    const parameters = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    const produces = route.documentation.produces ?? ['application/json']
    const success: Record<string, unknown> = { description: 'Successful Response' }
    if (produces.length > 0) {
      success.content = Object.fromEntries(
        produces.map((mediaType) => [mediaType, mediaTypeObject(mediaType)]),
      )
    }
    const responses: Record<string, unknown> = { [route.documentation.successStatus ?? 200]: success }
    const operation: Record<string, unknown> = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase())}`,
      responses,
    }
    if (route.documentation.summary !== undefined) operation.summary = route.documentation.summary
    if (route.documentation.description !== undefined) operation.description = route.documentation.description
    if (route.documentation.tags !== undefined) operation.tags = route.documentation.tags
    if (parameters.length > 0) operation.parameters = parameters
    if (route.body !== undefined) {
      const schema = jsonSchemaOf(route.body)
      let reference: unknown = schema
      if (route.bodyName !== undefined) {
        schemas[route.bodyName] = { title: route.bodyName, ...schema }
        reference = { $ref: `#/components/schemas/${route.bodyName}` }
      }
      operation.requestBody = { required: true, content: { 'application/json': { schema: reference } } }
      responses[400] = errorResponse('Malformed JSON body')
      responses[413] = errorResponse('Request body too large')
      responses[415] = errorResponse('Body is not JSON')
      responses[422] = {
        description: 'Validation Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } },
      }
    }
    for (const [status, description] of Object.entries(route.documentation.responses ?? {})) {
      responses[status] = errorResponse(description)
    }
    paths[path] ??= {}
    paths[path][route.method.toLowerCase()] = operation
  }
  const infoObject: Record<string, string> = { title: info.title, version: info.version }
  if (info.description !== undefined) infoObject.description = info.description
  return { openapi: '3.1.0', info: infoObject, paths, components: { schemas } }
}

/** Streams and text are strings on the wire; JSON is left open (any value). */
function mediaTypeObject(mediaType: string): Record<string, unknown> {
  if (mediaType === 'application/json') return {}
  if (mediaType === 'application/x-ndjson' || mediaType === 'text/event-stream') {
    return { schema: { type: 'string', description: 'One agent event per line / frame, as JSON.' } }
  }
  return mediaType.startsWith('text/') ? { schema: { type: 'string' } } : {}
}

function errorResponse(description: string): unknown {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPError' } } },
  }
}

function jsonSchemaOf(schema: BodySchema): Record<string, unknown> {
  if (typeof schema.toJSONSchema !== 'function') return {}
  try {
    const { $schema: _dialect, ...jsonSchema } = schema.toJSONSchema() as Record<string, unknown>
    return jsonSchema
  } catch {
    // Some schemas (transforms, custom checks) have no JSON Schema: document the body as any JSON.
    return {}
  }
}
