import { defineConfig } from 'vitest/config'

// Property and corruption tests do real work: allow for a loaded 2-core CI machine.
export default defineConfig({ test: { testTimeout: 60_000 } })
