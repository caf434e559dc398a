import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  builtinCells,
  type Cell,
  cellParams,
  evaluate,
  sequenceGraph,
  type Tensor,
  tensor,
} from '../src/index.js'

// Hand-written equations, independent of the IR: plain loops over float64 rows.
type Row = number[]
type Params = Record<string, number[]>
const sig = (v: number) => 1 / (1 + Math.exp(-v))
const map2 = (a: Row, b: Row, f: (x: number, y: number) => number) => a.map((v, i) => f(v, b[i]!))
const add = (a: Row, b: Row) => map2(a, b, (x, y) => x + y)
const mul = (a: Row, b: Row) => map2(a, b, (x, y) => x * y)
/** W·v + biases, W stored [out, in] row-major. */
const affine = (p: Params, name: string, v: Row, out: number): Row =>
  Array.from({ length: out }, (_, o) => {
    let s = (p[`${name}.b`]?.[o] ?? 0) + (p[`${name}.b2`]?.[o] ?? 0)
    v.forEach((x, k) => (s += p[`${name}.W`]![o * v.length + k]! * x))
    return s
  })

type Step = (p: Params, s: Record<string, Row>, x: Row, H: number) => Record<string, Row>
const equations: Record<string, Step> = {
  rnn: (p, { h }, x, H) => ({ h: affine(p, 'rnn', [...h!, ...x], H).map(Math.tanh) }),
  lstm: (p, { h, c }, x, H) => {
    const hx = [...h!, ...x]
    const [i, f, o] = ['i', 'f', 'o'].map((g) => affine(p, g, hx, H).map(sig))
    const g = affine(p, 'g', hx, H).map(Math.tanh)
    const c2 = add(mul(f!, c!), mul(i!, g))
    return { h: mul(o!, c2.map(Math.tanh)), c: c2 }
  },
  peephole_lstm: (p, { h, c }, x, H) => {
    const hx = [...h!, ...x]
    const i = add(affine(p, 'i', hx, H), mul(p.p_i!, c!)).map(sig)
    const f = add(affine(p, 'f', hx, H), mul(p.p_f!, c!)).map(sig)
    const g = affine(p, 'g', hx, H).map(Math.tanh)
    const c2 = add(mul(f, c!), mul(i, g))
    const o = add(affine(p, 'o', hx, H), mul(p.p_o!, c2)).map(sig)
    return { h: mul(o, c2.map(Math.tanh)), c: c2 }
  },
  coupled_lstm: (p, { h, c }, x, H) => {
    const hx = [...h!, ...x]
    const f = affine(p, 'f', hx, H).map(sig)
    const g = affine(p, 'g', hx, H).map(Math.tanh)
    const o = affine(p, 'o', hx, H).map(sig)
    const c2 = add(
      mul(f, c!),
      mul(
        f.map((v) => 1 - v),
        g,
      ),
    )
    return { h: mul(o, c2.map(Math.tanh)), c: c2 }
  },
  gru: (p, { h }, x, H) => {
    const hx = [...h!, ...x]
    const r = affine(p, 'r', hx, H).map(sig)
    const z = affine(p, 'z', hx, H).map(sig)
    const n = add(affine(p, 'n_x', x, H), mul(r, affine(p, 'n_h', h!, H))).map(Math.tanh)
    return {
      h: add(
        mul(
          z.map((v) => 1 - v),
          n,
        ),
        mul(z, h!),
      ),
    }
  },
  seed_gru: (p, { h }, x, H) => {
    const hx = [...h!, ...x]
    const z = affine(p, 'z', hx, H).map(sig)
    const r = affine(p, 'r', hx, H).map(sig)
    const g = affine(p, 'g', [...mul(r, h!), ...x], H).map(Math.tanh)
    return {
      h: add(
        mul(
          z.map((v) => 1 - v),
          h!,
        ),
        mul(z, g),
      ),
    }
  },
}

const values = (n: number) =>
  fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n })

/** Random parameters, states and inputs for a cell with the given batch and steps. */
const caseFor = (cell: Cell, B: number, T: number) =>
  fc.record({
    params: fc.record(
      Object.fromEntries(cellParams(cell).map((p) => [p.name, values(p.shape.reduce((a, b) => a * b, 1))])),
    ),
    states: fc.record(Object.fromEntries(cell.state.map((s) => [s, values(B * cell.sizes.hidden)]))),
    xs: values(T * B * cell.sizes.input),
  })

describe('built-in cells follow their equations (reference interpreter vs hand-written loops)', () => {
  // The hand-written affine maps add a bias only where the cell has one: bias-free cells run them too.
  for (const [name, definition] of Object.entries(builtinCells))
    for (const bias of [true, false])
      it(`${name}${bias ? '' : ' (bias: false)'}: one step of the cell and a scan over several steps`, () => {
        const H = 3
        const I = 2
        const B = 2
        const T = 3
        const cell = definition({ input: I, hidden: H, bias })
        fc.assert(
          fc.property(caseFor(cell, B, T), ({ params, states, xs }) => {
            const model = sequenceGraph([cell])
            const inputs: Record<string, Tensor> = { x: tensor([T, B, I], xs) }
            for (const p of cellParams(cell)) inputs[`l0.${p.name}`] = tensor(p.shape, params[p.name]!)
            for (const s of cell.state) inputs[`l0.${s}0`] = tensor([B, H], states[s]!)
            const out = evaluate(model, inputs)
            // Hand recurrence, row by row.
            for (let b = 0; b < B; b++) {
              let s = Object.fromEntries(cell.state.map((k) => [k, states[k]!.slice(b * H, (b + 1) * H)]))
              for (let t = 0; t < T; t++) {
                s = equations[name]!(params, s, xs.slice((t * B + b) * I, (t * B + b + 1) * I), H)
                const y = Array.from(out.y!.data.subarray((t * B + b) * H, (t * B + b + 1) * H))
                y.forEach((v, j) => expect(v).toBeCloseTo(s.h![j]!, 12))
              }
              for (const k of cell.state) {
                const final = Array.from(out[`l0.${k}`]!.data.subarray(b * H, (b + 1) * H))
                final.forEach((v, j) => expect(v).toBeCloseTo(s[k]![j]!, 12))
              }
            }
          }),
          { numRuns: 20 },
        )
      })
})
