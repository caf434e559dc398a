import { existsSync } from 'node:fs'
import { type WebGpuBackend, webgpuBackend } from '@cellgraph/backends'

// Without a GPU, Dawn runs on SwiftShader's Vulkan driver from Debian's chromium package (as the
// backends package's tests do); a missing adapter fails the test rather than skipping it.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json'

/** The WebGPU backend the tests run on: the machine's GPU, else SwiftShader. */
export function gpuForTests(): Promise<WebGpuBackend> {
  if (!process.env.VK_ICD_FILENAMES && existsSync(swiftshader)) process.env.VK_ICD_FILENAMES = swiftshader
  return webgpuBackend()
}
