import { defineConfig } from 'vitest/config'

// The end-to-end tests start the program as a child process: seconds each on a busy machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 } })
