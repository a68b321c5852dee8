// The Node-only entry point (`@agent/core/file-session`): it reads and writes files with node:fs.
// The root entry stays free of node: imports so that it runs in browsers and edge runtimes.
export {
  FileSessionManager,
  type FileSessionManagerOptions,
  type SessionFile,
  sessionFileVersion,
} from './session/file-session-manager.js'
