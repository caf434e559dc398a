import type { BenchConfig } from '../configs.js'

/** One matrix product of the LSTM workload: C[M x N] = op(A)[M x K] · op(B)[K x N]. */
export interface GemmShape {
  readonly name: string
  readonly M: number
  readonly N: number
  readonly K: number
  readonly transA: boolean
  readonly transB: boolean
}

/**
 * The products of one LSTM training step (gates = [i f g o], 4H wide), per config:
 * forward input projection for all steps, the recurrent product of one step, and the backward
 * products (input and weight gradients of both weights, the recurrent gradient of one step).
 */
export const lstmProducts = (c: BenchConfig): GemmShape[] => {
  const BT = c.batch * c.steps
  const G = 4 * c.hidden
  return [
    { name: 'x·Wih (all steps)', M: BT, N: G, K: c.input, transA: false, transB: false },
    { name: 'h·Whh (one step)', M: c.batch, N: G, K: c.hidden, transA: false, transB: false },
    { name: 'dG·Whhᵀ (one step)', M: c.batch, N: c.hidden, K: G, transA: false, transB: true },
    { name: 'xᵀ·dG (dWih)', M: c.input, N: G, K: BT, transA: true, transB: false },
    { name: 'hᵀ·dG (dWhh)', M: c.hidden, N: G, K: BT, transA: true, transB: false },
  ]
}
