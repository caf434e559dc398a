import { expect } from 'vitest'
import { type WebGpuBackend, type WebGpuBackendOptions, webgpuBackend } from '../../src/index.js'
import { useSoftwareVulkan } from './softwareVulkan.js'

/**
 * The WebGPU backend on this machine's adapter. A missing adapter fails the test (never a skip),
 * and the test asserts which adapter it ran on.
 */
export async function testBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const icd = useSoftwareVulkan()
  const backend = await webgpuBackend(options)
  if (icd?.includes('swiftshader')) expect(backend.adapterName).toMatch(/swiftshader/i)
  expect(backend.adapterName.length).toBeGreaterThan(0)
  return backend
}
