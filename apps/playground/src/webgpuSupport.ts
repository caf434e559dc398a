/** Whether this browser offers a WebGPU adapter, and if not, a note that says why and what to do. */
export async function webgpuSupport(): Promise<{ available: boolean; note: string }> {
  const gpu = (navigator as { gpu?: GPU }).gpu
  if (!gpu)
    return {
      available: false,
      note: 'WebGPU is not available: this browser has no navigator.gpu. Train on cpu or cpu-js.',
    }
  try {
    const adapter = await gpu.requestAdapter()
    if (adapter) return { available: true, note: '' }
  } catch {}
  return {
    available: false,
    note:
      'WebGPU is not available: navigator.gpu offers no adapter (no GPU, or WebGPU is switched off; ' +
      'Chromium without a GPU needs --enable-unsafe-webgpu). Train on cpu or cpu-js.',
  }
}

/** Fills a backend menu; WebGPU is switched off (its note as the tooltip) where there is no adapter. */
export async function fillBackendMenu(
  select: HTMLSelectElement,
  choices: readonly string[],
  initial: string,
): Promise<{ available: boolean; note: string }> {
  for (const name of choices) select.add(new Option(name, name))
  select.value = initial
  const support = await webgpuSupport()
  const option = [...select.options].find((o) => o.value === 'webgpu')
  if (option && !support.available) {
    option.disabled = true
    option.title = support.note
  }
  return support
}
