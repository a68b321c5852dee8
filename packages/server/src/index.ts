export { mountPlayground, type PlaygroundOptions } from './playground/index.js'
