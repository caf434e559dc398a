import { defineConfig } from 'vitest/config'

// Unit tests run in Node; the end-to-end tests drive the built app in headless Chromium.
export default defineConfig({
  test: { include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
})
