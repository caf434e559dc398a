/// <reference types="@webgpu/types" />
import { createWebGpuContext } from '@cellgraph/backends'

/** What the device machine's WebGPU adapter is and offers: the header of every result. */
export interface AdapterReport {
  readonly name: string
  readonly vendor: string
  readonly architecture: string
  readonly description: string
  readonly features: readonly string[]
  readonly limits: Readonly<Record<string, number>>
  /** The two features the backend uses when offered. */
  readonly timestampQuery: boolean
  readonly subgroups: boolean
}

/** Dawn's adapter as the backend will see it (the same `webgpu` package, the same Vulkan driver). */
export async function describeAdapter(): Promise<AdapterReport> {
  const specifier = 'webgpu'
  const { create } = (await import(specifier)) as { create: (flags: string[]) => GPU }
  const gpu = create([])
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter)
    throw new Error(
      'WebGPU found no adapter: is VK_ICD_FILENAMES set to a Vulkan driver and libvulkan.so.1 installed?',
    )
  const info = adapter.info
  const context = await createWebGpuContext({ gpu, powerPreference: 'high-performance' })
  const name = context.adapterName // the name the bench and the backend print
  context.device.destroy()
  const limits: Record<string, number> = {}
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key]
    if (typeof value === 'number') limits[key] = value
  }
  const features = [...adapter.features].sort()
  return {
    name,
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    features,
    limits,
    timestampQuery: features.includes('timestamp-query'),
    subgroups: features.includes('subgroups'),
  }
}

/** The report as lines for the log. */
export function formatAdapter(a: AdapterReport): string {
  const lines = [
    `adapter: ${a.name}`,
    `timestamp-query: ${a.timestampQuery ? 'offered' : 'not offered'}; subgroups: ${a.subgroups ? 'offered' : 'not offered'}`,
    `features: ${a.features.join(' ')}`,
    ...Object.entries(a.limits).map(([k, v]) => `  ${k} ${v}`),
  ]
  return lines.join('\n')
}
