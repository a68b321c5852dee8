export type { StdioServerOptions } from './child-process-transport.js'
export { McpClient, type McpClientOptions, type McpHttpServerOptions, type McpTransportOptions } from './mcp-client.js'
export type { ToolFilter } from './tool-names.js'
