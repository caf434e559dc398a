import { defineConfig } from 'vitest/config'

// The dry run bundles and runs the device script on SwiftShader: minutes on a loaded machine.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 300_000 } })
