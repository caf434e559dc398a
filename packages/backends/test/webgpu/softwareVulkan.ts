import { existsSync } from 'node:fs'

/**
 * Points Dawn at SwiftShader's Vulkan driver (shipped by Debian's chromium package) unless the
 * environment already names a driver. Must run before the first WebGPU device is created.
 * Set CELLGRAPH_WEBGPU_NATIVE=1 to use the machine's own GPU driver instead.
 */
const candidates = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib64/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
]
const loaders = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
]

export function useSoftwareVulkan(): string | undefined {
  if (process.env.CELLGRAPH_WEBGPU_NATIVE === '1') return undefined
  const icd = process.env.VK_ICD_FILENAMES ?? candidates.find((p) => existsSync(p))
  if (!icd)
    throw new Error(
      "WebGPU tests need SwiftShader's Vulkan driver from Debian's 'chromium' package " +
        '(apt-get install chromium libvulkan1, as scripts/setup.sh does), or VK_ICD_FILENAMES naming a driver',
    )
  if (!loaders.some((p) => existsSync(p)))
    throw new Error(
      "WebGPU tests need the Vulkan loader from Debian's 'libvulkan1' package (apt-get install libvulkan1)",
    )
  process.env.VK_ICD_FILENAMES = icd
  return icd
}
