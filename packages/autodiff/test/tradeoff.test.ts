import { readFileSync } from 'node:fs'
import { type Graph, lstm, type Node, sequenceGraph, sumAll, verify } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { grad, planBptt, withLoss } from '../src/index.js'

// The numbers in the README's trade-off table, counted from the graphs themselves.
const [INPUT, HIDDEN, BATCH, STEPS, WINDOW] = [256, 512, 32, 1024, 32]

/** Matrix-product FLOPs per row of a scan body (2 per multiply-add); the pointwise work is ignored. */
function productFlopsPerRow(body: Graph): number {
  const types = verify(body)
  let flops = 0
  for (const n of body.nodes) {
    const inType = (k: number) => types.of(n.inputs[k]!).shape
    if (n.op === 'layer') flops += 2 * inType(1)[0]! * inType(1)[1]!
    if (n.op === 'matmul') flops += 2 * inType(1)[0]! * inType(1)[1]!
    if (n.op === 'outerSum') flops += 2 * inType(0)[0]! * inType(1)[0]!
  }
  return flops
}

const scanOf = (g: Graph) => g.nodes.filter((n): n is Node<'scan'> => n.op === 'scan')

describe('the README trade-off table', () => {
  const model = withLoss(sequenceGraph([lstm({ input: INPUT, hidden: HIDDEN })]), ({ y }) => sumAll(y!))
  const forward = scanOf(model)[0]!
  const body = forward.attrs.body
  const plan = planBptt(
    forward,
    forward.inputs.map(() => true),
    body.outputs.map(() => true),
  )
  const bodyTypes = verify(body)
  const savedPerRowStep = plan.saved.reduce((n, r) => n + bodyTypes.of(r).shape[0]!, 0)
  const rowSteps = BATCH * STEPS
  const windows = Math.ceil(STEPS / WINDOW)
  const stateFloats = BATCH * 2 * HIDDEN // h and c

  const full = savedPerRowStep * rowSteps
  const checkpointed = windows * stateFloats + WINDOW * BATCH * savedPerRowStep
  const truncated = WINDOW * BATCH * savedPerRowStep
  const forwardFlops = productFlopsPerRow(body) * rowSteps
  const backwardFlops = productFlopsPerRow(scanOf(grad(model, { loss: 'loss' }))[1]!.attrs.body) * rowSteps
  const recomputePlan = planBptt(
    forward,
    forward.inputs.map(() => true),
    body.outputs.map(() => true),
    'recompute',
  )
  const recomputed = recomputePlan.saved.reduce((k, r) => k + bodyTypes.of(r).shape[0]!, 0) * rowSteps
  const recomputeGrad = grad(model, { loss: 'loss', bptt: 'recompute' })
  const recomputeBackwardFlops = productFlopsPerRow(scanOf(recomputeGrad)[1]!.attrs.body) * rowSteps
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const n = (x: number) => x.toLocaleString('en-US')
  const giga = (x: number) => `${(x / 1e9).toFixed(1)} G`

  it('saves 7H + I floats per row and step for the LSTM', () => {
    expect(savedPerRowStep).toBe(7 * HIDDEN + INPUT)
  })

  it('has a backward pass of twice the forward products (dx and dW per layer)', () => {
    expect(backwardFlops).toBe(2 * forwardFlops)
  })

  it('recomputes one forward step per step in recompute mode, saving only h and c', () => {
    expect(recomputed).toBe(rowSteps * 2 * HIDDEN)
    expect(recomputeBackwardFlops).toBe(backwardFlops + forwardFlops)
  })

  it('states the counted numbers', () => {
    for (const s of [
      n(savedPerRowStep),
      n(full),
      n(checkpointed),
      n(truncated),
      n(recomputed),
      giga(forwardFlops),
      giga(forwardFlops + backwardFlops),
      giga(2 * forwardFlops + backwardFlops),
    ])
      expect(readme).toContain(s)
  })
})
