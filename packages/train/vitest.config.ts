import { defineConfig } from 'vitest/config'

// Training steps and a child process that saves a large checkpoint take seconds on a busy machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 } })
