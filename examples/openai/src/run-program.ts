/** Runs an example program and turns a failure into one readable line and exit code 1. */
export async function runProgram(program: () => Promise<void>): Promise<void> {
  try {
    await program()
  } catch (error) {
    const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    console.error(`\n${described}`)
    process.exitCode = 1
  }
}
