import { defineConfig } from 'vitest/config'

// Each test starts the command (or workers) on Node 22: allow for a loaded 2-core CI machine.
export default defineConfig({ test: { testTimeout: 60_000 } })
