import type { Engine } from '../engine.js'
import { brainEngine } from './brain.js'
import { cpuEngine, cpuWasmEngine, referenceEngine, webgpuEngine } from './cellgraph.js'
import { onnxEngine } from './onnx.js'
import { tfjsEngine } from './tfjs.js'
import { torchEngine } from './torch.js'

/** Every engine the bench knows, by the key `--engines` selects with (any key containing a given word). */
export const engineRegistry: Readonly<Record<string, () => Engine>> = {
  'cellgraph-cpu-wasm': cpuWasmEngine,
  'cellgraph-cpu-js': cpuEngine,
  'cellgraph-reference': referenceEngine,
  'cellgraph-webgpu': webgpuEngine,
  'tfjs-wasm-layers': () => tfjsEngine('wasm', 'layers'),
  'tfjs-wasm-cell': () => tfjsEngine('wasm', 'cell'),
  'tfjs-cpu-layers': () => tfjsEngine('cpu', 'layers'),
  'tfjs-cpu-cell': () => tfjsEngine('cpu', 'cell'),
  'brain.js': () => brainEngine,
  pytorch: () => torchEngine(),
  'onnxruntime-1': () => onnxEngine(1),
  'onnxruntime-2': () => onnxEngine(2),
}

/**
 * Engines left out of the default run (name them with --engines): the CPU backend's plain JS
 * products, and WebGPU, which needs a driver (VK_ICD_FILENAMES) and means little on a software one.
 */
export const optInEngines: readonly string[] = ['cellgraph-cpu-js', 'cellgraph-webgpu']

/** The engines whose keys contain any of `words` (by default all but the opt-in ones), in registry order. */
export function selectEngines(words: readonly string[]): Engine[] {
  const keys = Object.keys(engineRegistry).filter((k) =>
    words.length === 0 ? !optInEngines.includes(k) : words.some((w) => k.includes(w)),
  )
  if (keys.length === 0)
    throw new Error(
      `no engine matches ${words.join(', ')}; the engines are ${Object.keys(engineRegistry).join(', ')}`,
    )
  return keys.map((k) => engineRegistry[k]!())
}
