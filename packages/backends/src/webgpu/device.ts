/// <reference types="@webgpu/types" />

/**
 * Acquiring a WebGPU device, one code path for Node.js and the browser: `navigator.gpu` where the
 * host provides it, else the `webgpu` package (Dawn for Node). The device asks the adapter for its
 * largest storage-binding limits, because a compiled model keeps every tensor in one arena buffer.
 */

/** Thrown when WebGPU is missing or too small for a model; the message says what and where. */
export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError'
}

export interface WebGpuContext {
  readonly device: GPUDevice
  /** Adapter vendor, architecture and description, e.g. "google swiftshader ...". */
  readonly adapterName: string
  /** True for software rasterizers (SwiftShader, lavapipe): correctness only, no speed. */
  readonly isSoftware: boolean
  /** The device was created with the `subgroups` feature (kernels may use `subgroupAdd`). */
  readonly subgroups?: boolean
}

export interface DeviceOptions {
  /** A GPU to use instead of looking one up (e.g. a `create([...flags])` from the `webgpu` package). */
  readonly gpu?: GPU
  readonly powerPreference?: 'low-power' | 'high-performance'
  /**
   * Ask the adapter for its largest buffer and binding sizes (default true). With false the
   * device keeps WebGPU's defaults (128 MiB per binding), as some browsers grant no more.
   */
  readonly adapterLimits?: boolean
}

// Dawn's instance must outlive every device made from it: keep the Node GPU object alive for
// the life of the process (dropping it lets the collector destroy the instance under a device).
let nodeGpu: GPU | undefined

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator
  if (nav?.gpu) return nav.gpu
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node
  if (isNode !== 'string')
    throw new WebGpuUnavailableError('this browser has no navigator.gpu: WebGPU is not available here')
  // A computed specifier keeps bundlers from pulling the Node-only package into browser builds.
  const specifier = 'webgpu'
  let mod: { create: (flags: string[]) => GPU }
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as typeof mod
  } catch (e) {
    // `webgpu` is an optional peer dependency: CPU and browser users never download Dawn.
    const code = (e as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new WebGpuUnavailableError(
        "WebGPU in Node.js needs the optional 'webgpu' package (Dawn): npm install webgpu",
      )
    throw new WebGpuUnavailableError(
      `the 'webgpu' package (Dawn for Node) failed to load: ${(e as Error).message}`,
    )
  }
  nodeGpu ??= mod.create([])
  return nodeGpu
}

const describeAdapter = (info: GPUAdapterInfo | undefined): string =>
  [info?.vendor, info?.architecture, info?.device, info?.description]
    .filter((s) => s && s.length > 0)
    .join(' ') || 'unknown adapter'

/**
 * Features the device asks for when the adapter offers them; none is required. `timestamp-query`
 * lets a profiling run time each kernel (`beginProfile`); normal runs never write timestamps.
 * `subgroups` lets matrix products sum with `subgroupAdd`; their kernels keep a plain path.
 */
const optionalFeatures: GPUFeatureName[] = ['timestamp-query', 'subgroups' as GPUFeatureName]

export async function createWebGpuContext(options: DeviceOptions = {}): Promise<WebGpuContext> {
  const gpu = options.gpu ?? (await findGpu())
  const adapter = await gpu.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  )
  if (!adapter)
    throw new WebGpuUnavailableError(
      'WebGPU found no adapter. Without a GPU in Node.js, install a Vulkan driver (Debian: ' +
        "apt-get install chromium libvulkan1) and point VK_ICD_FILENAMES at chromium's " +
        'vk_swiftshader_icd.json; in Chromium, start it with --enable-unsafe-webgpu.',
    )
  const want = adapter.limits
  const requiredFeatures = optionalFeatures.filter((f) => adapter.features.has(f))
  const subgroups = requiredFeatures.includes('subgroups' as GPUFeatureName)
  const device = await adapter.requestDevice(
    options.adapterLimits === false
      ? { requiredFeatures }
      : {
          requiredFeatures,
          requiredLimits: {
            maxStorageBufferBindingSize: want.maxStorageBufferBindingSize,
            maxBufferSize: want.maxBufferSize,
          },
        },
  )
  const adapterName = describeAdapter(adapter.info)
  return { device, adapterName, isSoftware: /swiftshader|llvmpipe|lavapipe/i.test(adapterName), subgroups }
}
