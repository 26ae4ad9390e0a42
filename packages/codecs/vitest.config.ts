import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Property tests over multi-megabyte inputs and CLI round trips outlast the 5 s default on 2 cores.
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
})
