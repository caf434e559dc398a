import {
  add,
  builtinCells,
  evaluate,
  type Graph,
  mul,
  sequenceGraph,
  sumAll,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkpointedValueAndGrad, truncatedValueAndGrad, valueAndGrad, withLoss } from '../src/index.js'
import { explain, numRuns, randomInputs } from './support.js'

/** A loss that is a sum over time steps: Σ_t ⟨w_t, y_t⟩ + Σ_t ⟨v_t, y_t²⟩. */
function perStepLoss(model: Graph): Graph {
  return withLoss(model, ({ y }, b) => {
    const w = b.leaf('input', 'w', { name: 'w', type: y!.type })
    const v = b.leaf('input', 'v', { name: 'v', type: y!.type })
    return add(sumAll(mul(y!, w)), sumAll(mul(mul(y!, y!), v)))
  })
}

const cases = fc.record({
  cell: fc.constantFrom('rnn', 'lstm', 'gru', 'peephole_lstm'),
  input: fc.integer({ min: 1, max: 3 }),
  hidden: fc.integer({ min: 1, max: 3 }),
  steps: fc.integer({ min: 1, max: 7 }),
  batch: fc.integer({ min: 1, max: 2 }),
  window: fc.integer({ min: 1, max: 8 }),
  seed: fc.integer(),
})

type Case = typeof cases extends fc.Arbitrary<infer R> ? R : never

function setup({ cell, input, hidden, steps, batch, seed }: Case) {
  const graph = perStepLoss(sequenceGraph([builtinCells[cell]!({ input, hidden })]))
  const inputs = randomInputs(graph, { steps, batch, seed })
  const wrt = Object.keys(inputs).filter((n) => n !== 'w' && n !== 'v')
  return { graph, inputs, wrt }
}

/** Steps [from, to) of a [T,B,F] tensor, written independently of the package's helper. */
const steps = (t: Tensor, from: number, to: number) => {
  const per = t.data.length / t.dims[0]!
  return tensor([to - from, ...t.dims.slice(1)], t.data.slice(from * per, to * per))
}

describe('checkpointing', () => {
  it('gives exactly the full BPTT gradients, for any window', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const { graph, inputs, wrt } = setup(c)
        const full = valueAndGrad(graph, inputs, { loss: 'loss', wrt })
        const ours = checkpointedValueAndGrad(graph, inputs, { loss: 'loss', wrt, window: c.window })
        expect(ours.value).toBeCloseTo(full.value, 10)
        for (const name of wrt) {
          const a = ours.grads[name]!
          const b = full.grads[name]!
          expect(a.dims).toEqual(b.dims)
          a.data.forEach((v, i) => {
            if (!(Math.abs(v - b.data[i]!) < 1e-10))
              throw new Error(explain(graph, `${name}[${i}]: checkpointed ${v}, full ${b.data[i]}`))
          })
        }
      }),
      { numRuns: numRuns(5) },
    )
  })
})

describe('truncated BPTT', () => {
  it('equals central differences of the truncated objective (states held at window starts)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const { graph, inputs, wrt } = setup(c)
        const T = inputs.x!.dims[0]!
        const bounds: [number, number][] = []
        for (let t = 0; t < T; t += c.window) bounds.push([t, Math.min(T, t + c.window)])
        const stateNames = c.cell.includes('lstm') ? ['h', 'c'] : ['h']
        // The states at each window's start, from one unperturbed forward run.
        const starts: Record<string, Tensor>[] = []
        let state = Object.fromEntries(stateNames.map((s) => [`l0.${s}0`, inputs[`l0.${s}0`]!]))
        for (const [from, to] of bounds) {
          starts.push(state)
          const window = {
            ...inputs,
            x: steps(inputs.x!, from, to),
            w: steps(inputs.w!, from, to),
            v: steps(inputs.v!, from, to),
          }
          const out = evaluate(graph, { ...window, ...state })
          state = Object.fromEntries(stateNames.map((s) => [`l0.${s}0`, out[`l0.${s}`]!]))
        }
        // The truncated objective: Σ_w loss(window w from its fixed start state); window 0 starts
        // from the (perturbable) initial state.
        const objective = (vals: Record<string, Tensor>) =>
          bounds.reduce((sum, [from, to], w) => {
            const window = {
              ...vals,
              x: steps(vals.x!, from, to),
              w: steps(vals.w!, from, to),
              v: steps(vals.v!, from, to),
            }
            const start = w === 0 ? {} : starts[w]!
            return sum + evaluate(graph, { ...window, ...start }).loss!.data[0]!
          }, 0)
        const ours = truncatedValueAndGrad(graph, inputs, { loss: 'loss', wrt, window: c.window })
        expect(ours.value).toBeCloseTo(objective(inputs), 10)
        const eps = 1e-5
        for (const name of wrt) {
          const x = inputs[name]!
          for (let i = 0; i < x.data.length; i++) {
            const probe = tensor(x.dims, x.data)
            probe.data[i] = x.data[i]! + eps
            const up = objective({ ...inputs, [name]: probe })
            probe.data[i] = x.data[i]! - eps
            const down = objective({ ...inputs, [name]: probe })
            const numeric = (up - down) / (2 * eps)
            const analytic = ours.grads[name]!.data[i]!
            const error = Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-3)
            if (!(error < 1e-5))
              throw new Error(
                explain(graph, `${name}[${i}]: truncated ${analytic}, central differences ${numeric}`),
              )
          }
        }
      }),
      { numRuns: numRuns(3) },
    )
  })

  it('differs from full BPTT when the window is shorter than the sequence, and equals it otherwise', () => {
    const { graph, inputs, wrt } = setup({
      cell: 'lstm',
      input: 2,
      hidden: 3,
      steps: 6,
      batch: 2,
      window: 0,
      seed: 7,
    })
    const full = valueAndGrad(graph, inputs, { loss: 'loss', wrt })
    const whole = truncatedValueAndGrad(graph, inputs, { loss: 'loss', wrt, window: 6 })
    const cut = truncatedValueAndGrad(graph, inputs, { loss: 'loss', wrt, window: 2 })
    const gap = (a: Tensor, b: Tensor) => Math.max(...a.data.map((v, i) => Math.abs(v - b.data[i]!)))
    expect(gap(whole.grads['l0.i.W']!, full.grads['l0.i.W']!)).toBeLessThan(1e-12)
    expect(gap(cut.grads['l0.i.W']!, full.grads['l0.i.W']!)).toBeGreaterThan(1e-6)
    expect(cut.value).toBeCloseTo(full.value, 10) // the state is carried: the forward pass is the same
  })
})
