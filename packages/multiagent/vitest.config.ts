import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Tests that kill a worker wait for a new one to load mathjs (about a second, more on a busy machine).
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
