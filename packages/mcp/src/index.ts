export type { StdioServerOptions } from './child-process-transport.js'
export {
  McpClient,
  type McpClientOptions,
  type McpHttpServerOptions,
  type McpTransportOptions,
} from './mcp-client.js'
export { createMcpHttpHandler, type McpHttpHandler, type McpHttpHandlerOptions } from './mcp-http-handler.js'
export { type McpService, type ServeMcpOptions, serveMcp } from './serve-mcp.js'
export type { ToolFilter } from './tool-names.js'
