import { defineConfig } from 'vitest/config'

// Property tests run hundreds of cases on a shared machine: a generous per-test limit.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 } })
