export { mountPlayground, type PlaygroundOptions } from './mount-playground.js'
