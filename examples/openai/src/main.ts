import { calculate } from './calculate.ts'
import { lifecycle } from './lifecycle.ts'
import { runProgram } from './run-program.ts'

await runProgram(async () => {
  console.log('--- Calculate 2+2 ---')
  await calculate()
  console.log('--- Event loop lifecycle ---')
  await lifecycle()
})
