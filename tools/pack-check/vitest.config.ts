import { defineConfig } from 'vitest/config'

// Packing, installing, type-checking, bundling and a browser run take minutes on a busy machine.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
})
