import { cellParams, elementCount, evaluate, gru, lengthMask, sequenceGraph, stackCells, swapLeadingAxes, tensor } from '@cellgraph/graph'

// As PyTorch's nn.GRU(2, 3, num_layers=2, bidirectional=True, batch_first=True) on packed sequences
const cells = stackCells(gru, { input: 2, hidden: 3, layers: 2, direction: 'bidirectional' })
const graph = sequenceGraph(cells, { direction: 'bidirectional', lengths: true })
const inputs = {
  x: swapLeadingAxes(tensor([2, 4, 2], [1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1])), // [B,T,I] → [T,B,I]
  mask: lengthMask([4, 2], 4), // the second sequence is 2 steps long
  ...Object.fromEntries(
    cells.flatMap((cell, l) =>
      ['', 'reverse.'].flatMap((dir) => [
        [`l${l}.${dir}h0`, tensor([2, 3])], // the reverse direction has its own states and weights
        ...cellParams(cell).map((p) => [`l${l}.${dir}${p.name}`, tensor(p.shape, Array(elementCount(p.shape)).fill(0.1))]),
      ]),
    ),
  ),
}
export const out = evaluate(graph, inputs)
console.log(swapLeadingAxes(out.y!).dims) // [2, 4, 6]: both directions, batch first; zero past a length
