import { calculate } from './calculate.ts'
import { lifecycle } from './lifecycle.ts'

console.log('--- Calculate 2+2 ---')
await calculate()
console.log('--- Event loop lifecycle ---')
await lifecycle()
