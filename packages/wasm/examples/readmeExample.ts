import { Arena, apply, createKernels, input } from '@cellgraph/wasm'

// One memory for everything; shared so that a second thread can work on it too.
const memory = new WebAssembly.Memory({ initial: 16, maximum: 4096, shared: true })
const arena = new Arena(memory)
const kernels = await createKernels({ memory, arena, threads: 2 })

// gates[B, 4H] = h[B, H] · W[H, 4H], with W packed once and reused for every time step
const [B, H] = [2, 3]
const h = arena.allocFloats(B * H)
const W = arena.allocFloats(H * 4 * H)
const gates = arena.allocFloats(B * 4 * H)
arena.f32(h, B * H).set([1, 2, 3, 4, 5, 6])
arena.f32(W, H * 4 * H).fill(0.1)
const packedW = kernels.packB(H, 4 * H, W, arena.allocBytes(kernels.packedBytes(H, 4 * H)))
kernels.gemmPacked(B, h, packedW, gates) // every gate of row 0 is 0.6, of row 1 1.5

// A fused LSTM tail: c = σ(f)·c' + σ(i)·tanh(g), h = σ(o)·tanh(c), one SIMD loop over [B, H]
const [i, f, g, o, cPrev] = [input(0), input(1), input(2), input(3), input(4)]
const c = apply('add', apply('mul', apply('sigmoid', f), cPrev), apply('mul', apply('sigmoid', i), apply('tanh', g)))
const tail = kernels.fused([c, apply('mul', apply('sigmoid', o), apply('tanh', c))])
const cOld = arena.allocFloats(B * H) // zeros
const cNew = arena.allocFloats(B * H)
const gate = (k: number) => ({ offset: gates + k * H * 4, ld: 4 * H })
tail.run(B, H, [gate(0), gate(1), gate(2), gate(3), { offset: cOld, ld: H }], [
  { offset: cNew, ld: H },
  { offset: h, ld: H },
])
export const hidden = Array.from(arena.f32(h, B * H))
kernels.dispose()
