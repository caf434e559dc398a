import { defineConfig } from 'vitest/config'

// The peers load large modules (tfjs, ONNX Runtime) and the machine is shared: generous timeouts
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 } })
