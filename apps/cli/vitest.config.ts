import { defineConfig } from 'vitest/config'

// These tests run the real CLI in child processes, each using every core: one file at a time, and
// timeouts for a loaded 2-core CI machine.
export default defineConfig({
  test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 120_000 },
})
