import { lstm, sequenceGraph, type Tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { valueAndGrad } from '../src/index.js'
import { linearFunctional, randomInputs } from './support.js'

// The textbook LSTM and its backpropagation through time, written out in plain float64 loops,
// independently of the graph machinery: gates i, f, g, o over [h, x], two biases each (PyTorch).

const GATES = ['i', 'f', 'g', 'o'] as const
type Gate = (typeof GATES)[number]
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

interface Step {
  hx: number[][]
  gates: Record<Gate, number[][]>
  cPrev: number[][]
  c: number[][]
}

function lstmByHand(v: Record<string, Tensor>, T: number, B: number, I: number, H: number) {
  const at = (name: string, ...idx: number[]) => {
    const t = v[name]!
    let flat = 0
    idx.forEach((k, a) => (flat = flat * t.dims[a]! + k))
    return t.data[flat]!
  }
  const zeros = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(0))
  let h = Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, j) => at('l0.h0', b, j)))
  let c = Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, j) => at('l0.c0', b, j)))
  const steps: Step[] = []
  let loss = 0
  for (let t = 0; t < T; t++) {
    const hx = h.map((row, b) => [...row, ...Array.from({ length: I }, (_, k) => at('x', t, b, k))])
    const gates = {} as Record<Gate, number[][]>
    for (const gate of GATES) {
      gates[gate] = zeros(B, H)
      for (let b = 0; b < B; b++)
        for (let j = 0; j < H; j++) {
          let z = at(`l0.${gate}.b`, j) + at(`l0.${gate}.b2`, j)
          for (let k = 0; k < H + I; k++) z += at(`l0.${gate}.W`, j, k) * hx[b]![k]!
          gates[gate][b]![j] = gate === 'g' ? Math.tanh(z) : sigmoid(z)
        }
    }
    const c2 = zeros(B, H)
    const h2 = zeros(B, H)
    for (let b = 0; b < B; b++)
      for (let j = 0; j < H; j++) {
        c2[b]![j] = gates.f[b]![j]! * c[b]![j]! + gates.i[b]![j]! * gates.g[b]![j]!
        h2[b]![j] = gates.o[b]![j]! * Math.tanh(c2[b]![j]!)
        loss += at('w.y', t, b, j) * h2[b]![j]!
      }
    steps.push({ hx, gates, cPrev: c, c: c2 })
    h = h2
    c = c2
  }
  for (let b = 0; b < B; b++)
    for (let j = 0; j < H; j++) loss += at('w.l0.h', b, j) * h[b]![j]! + at('w.l0.c', b, j) * c[b]![j]!

  // Backward, t = T-1 .. 0.
  const grads: Record<string, number[]> = {}
  const acc = (name: string, size: number) => (grads[name] ??= new Array<number>(size).fill(0))
  const dx = acc('x', T * B * I)
  let dh = Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, j) => at('w.l0.h', b, j)))
  let dc = Array.from({ length: B }, (_, b) => Array.from({ length: H }, (_, j) => at('w.l0.c', b, j)))
  for (let t = T - 1; t >= 0; t--) {
    const { hx, gates, cPrev, c: cNow } = steps[t]!
    const dhPrev = zeros(B, H)
    const dcPrev = zeros(B, H)
    for (let b = 0; b < B; b++) {
      const dz: Record<Gate, number[]> = { i: [], f: [], g: [], o: [] }
      for (let j = 0; j < H; j++) {
        const [i, f, g, o] = GATES.map((k) => gates[k][b]![j]!) as [number, number, number, number]
        const tc = Math.tanh(cNow[b]![j]!)
        const dhj = dh[b]![j]! + at('w.y', t, b, j)
        const dcj = dc[b]![j]! + dhj * o * (1 - tc * tc)
        dz.o[j] = dhj * tc * o * (1 - o)
        dz.i[j] = dcj * g * i * (1 - i)
        dz.g[j] = dcj * i * (1 - g * g)
        dz.f[j] = dcj * cPrev[b]![j]! * f * (1 - f)
        dcPrev[b]![j] = dcj * f
      }
      for (const gate of GATES) {
        const dW = acc(`l0.${gate}.W`, H * (H + I))
        const db = acc(`l0.${gate}.b`, H)
        const db2 = acc(`l0.${gate}.b2`, H)
        for (let j = 0; j < H; j++) {
          const d = dz[gate][j]!
          db[j]! += d
          db2[j]! += d
          for (let k = 0; k < H + I; k++) {
            dW[j * (H + I) + k]! += d * hx[b]![k]!
            const back = d * at(`l0.${gate}.W`, j, k)
            if (k < H) dhPrev[b]![k]! += back
            else dx[(t * B + b) * I + (k - H)]! += back
          }
        }
      }
    }
    dh = dhPrev
    dc = dcPrev
  }
  grads['l0.h0'] = dh.flat()
  grads['l0.c0'] = dc.flat()
  return { loss, grads }
}

describe('a hand-derived LSTM BPTT', () => {
  for (const [T, B, I, H, seed] of [
    [5, 3, 2, 4, 1],
    [1, 1, 1, 1, 2],
    [7, 2, 3, 2, 3],
  ] as const)
    it(`agrees with grad to 1e-9 (T=${T}, B=${B}, input ${I}, hidden ${H})`, () => {
      const graph = linearFunctional(sequenceGraph([lstm({ input: I, hidden: H })]))
      const inputs = randomInputs(graph, { steps: T, batch: B, seed })
      const wrt = Object.keys(inputs).filter((n) => !n.startsWith('w.'))
      const ours = valueAndGrad(graph, inputs, { loss: 'loss', wrt })
      const byHand = lstmByHand(inputs, T, B, I, H)
      expect(Math.abs(ours.value - byHand.loss)).toBeLessThan(1e-9)
      expect(Object.keys(byHand.grads).sort()).toEqual([...wrt].sort())
      for (const name of wrt) {
        const want = byHand.grads[name]!
        const got = Array.from(ours.grads[name]!.data)
        expect(got.length).toBe(want.length)
        got.forEach((g, k) => expect(Math.abs(g - want[k]!), `${name}[${k}]`).toBeLessThan(1e-9))
      }
    })
})
