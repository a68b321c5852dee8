// The Node-only entry point (`@agent/server/node`): it serves apps on node:http. The root entry stays
// free of node: imports, so that its `fetch` handler runs on Bun, Deno, workerd and in browsers.
export { type FetchApp, type RunningServer, type ServeOptions, serve, toNodeListener } from './serve.js'
