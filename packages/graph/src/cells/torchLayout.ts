import type { CellSizes } from '../dsl/cell.js'
import type { TorchLayout } from '../interop.js'

/**
 * PyTorch's layout for gate layers over concat(h, x): weight_ih stacks the x columns of each
 * gate's W, weight_hh the h columns, bias_ih the first biases and bias_hh the second biases, in
 * the given gate order; without biases (`bias: false`) only the two weight tensors.
 */
export function gateLayout(gates: readonly string[], { input, hidden, bias }: CellSizes): TorchLayout {
  const xCols: [number, number] = [hidden, hidden + input]
  const hCols: [number, number] = [0, hidden]
  const weights = [
    { name: 'weight_ih', blocks: gates.map((g) => ({ param: `${g}.W`, cols: xCols })) },
    { name: 'weight_hh', blocks: gates.map((g) => ({ param: `${g}.W`, cols: hCols })) },
  ]
  // A module built with bias=False has no bias tensors, as the cell has no bias parameters.
  if (bias === false) return weights
  return [
    ...weights,
    { name: 'bias_ih', blocks: gates.map((g) => ({ param: `${g}.b` })) },
    { name: 'bias_hh', blocks: gates.map((g) => ({ param: `${g}.b2` })) },
  ]
}
