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

const CPU_NOTE =
  'cpu (WebAssembly on two threads) needs SharedArrayBuffer, which a page has only when it is ' +
  'cross-origin isolated (COOP/COEP headers, as `pnpm playground` and `vite preview` send): using cpu-js.'

/**
 * Fills a backend menu. A backend this page cannot run is switched off, with its note as the
 * tooltip: cpu without cross-origin isolation, WebGPU without an adapter. Returns the notes.
 */
export async function fillBackendMenu(
  select: HTMLSelectElement,
  choices: readonly string[],
  initial: string,
): Promise<string> {
  for (const name of choices) select.add(new Option(name, name))
  const off = (name: string, note: string) => {
    const option = [...select.options].find((o) => o.value === name)
    if (!option) return
    option.disabled = true
    option.title = note
    if (select.value === name) select.value = 'cpu-js'
  }
  select.value = initial
  const notes: string[] = []
  if (!globalThis.crossOriginIsolated) {
    off('cpu', CPU_NOTE)
    notes.push(CPU_NOTE)
  }
  const gpu = await webgpuSupport()
  if (!gpu.available) {
    off('webgpu', gpu.note)
    notes.push(gpu.note)
  }
  return notes.join('\n')
}
