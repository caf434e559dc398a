import { Arena, apply, createKernelsSync, input } from '@cellgraph/wasm'
import { type KernelRow, timeCall } from './row.js'

/** Throughput of the SIMD transcendentals and of a fused LSTM tail, against scalar Math.exp in JS. */
export const benchPointwise = (elements = 1 << 20): KernelRow[] => {
  const memory = new WebAssembly.Memory({ initial: 1 })
  const arena = new Arena(memory)
  const kernels = createKernelsSync({ memory })
  const src = arena.allocFloats(elements * 4)
  const dst = arena.allocFloats(elements * 2)
  const xs = arena.f32(src, elements * 4)
  for (let i = 0; i < xs.length; i++) xs[i] = ((i * 7919) % 2001) / 100 - 10 // [-10, 10]
  const rows: KernelRow[] = []
  const row = (kernel: string, time: { ms: number; bestMs: number }, n = elements): KernelRow => ({
    kernel,
    shape: `${n} floats`,
    threads: 1,
    ...time,
    gflops: null,
    elementsPerNs: n / time.ms / 1e6,
  })
  for (const name of ['exp', 'sigmoid', 'tanh'] as const) {
    rows.push(
      row(
        `${name} (SIMD)`,
        timeCall(() => kernels[name](elements, src, dst), elements / 1e6),
      ),
    )
  }
  const jsIn = arena.f32(src, elements).slice()
  const jsOut = new Float32Array(elements)
  const jsSigmoid = () => {
    for (let i = 0; i < elements; i++) jsOut[i] = 1 / (1 + Math.exp(-jsIn[i]!))
  }
  rows.push(row('sigmoid (scalar JS Math.exp)', timeCall(jsSigmoid, elements / 1e5)))

  // LSTM tail on [B, H] with gates [B, 4H]: c = σ(f)c' + σ(i)tanh(g), h = σ(o)tanh(c)
  const [i, f, g, o, cPrev] = [input(0), input(1), input(2), input(3), input(4)]
  const c = apply(
    'add',
    apply('mul', apply('sigmoid', f), cPrev),
    apply('mul', apply('sigmoid', i), apply('tanh', g)),
  )
  const h = apply('mul', apply('sigmoid', o), apply('tanh', c))
  const tail = kernels.fused([c, h])
  const H = 256
  const B = elements / 4 / H
  const ins = [0, 1, 2, 3].map((k) => ({ offset: src + k * H * 4, ld: 4 * H }))
  ins.push({ offset: dst, ld: H })
  const outs = [
    { offset: dst + B * H * 4, ld: H },
    { offset: dst + 2 * B * H * 4, ld: H },
  ]
  rows.push(
    row(
      `fused LSTM tail [${B}x${H}]`,
      timeCall(() => tail.run(B, H, ins, outs), (B * H) / 2e5),
      B * H,
    ),
  )
  return rows
}
