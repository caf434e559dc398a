import { defineConfig } from 'vitest/config'

// Bounded fuzz runs on a shared machine: generous timeouts.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 } })
