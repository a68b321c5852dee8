import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // A generous ceiling for a loaded CI machine; the tests' own deadlines are tens of milliseconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
