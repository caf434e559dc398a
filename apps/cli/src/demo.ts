import {
  evaluate,
  leafName,
  lstm,
  printGraph,
  Rng,
  sequenceGraph,
  type Tensor,
  tensor,
} from '@cellgraph/graph'

/** The seed's LSTM, defined, printed as a graph and run over a sequence by the reference interpreter. */
export function demo(write: (line: string) => void): void {
  const input = 3
  const hidden = 4
  const steps = 6
  const cell = lstm({ input, hidden })
  write(`The seed's LSTM cell (input ${input}, hidden ${hidden}), one time step:\n`)
  write(printGraph(cell.graph, 'lstm'))
  const model = sequenceGraph([cell])
  const rng = new Rng(7)
  const bound = 1 / Math.sqrt(hidden)
  const values: Record<string, Tensor> = {}
  for (const id of model.inputs) {
    const n = model.nodes.find((node) => node.id === id)!
    const name = leafName(n)
    if (n.op === 'param') {
      const shape = (n.attrs as { shape: number[] }).shape
      values[name] = tensor(
        shape,
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * rng.next() - 1) * bound),
      )
    }
  }
  values['l0.h0'] = tensor([1, hidden])
  values['l0.c0'] = tensor([1, hidden])
  values.x = tensor(
    [steps, 1, input],
    Array.from({ length: steps * input }, (_, i) => Math.sin(i)),
  )
  const out = evaluate(model, values)
  write(
    `\nRun over a sequence of ${steps} steps (batch 1, time-major), h_t by the float64 reference interpreter:`,
  )
  for (let t = 0; t < steps; t++) {
    const h = Array.from(out.y!.data.subarray(t * hidden, (t + 1) * hidden), (v) => v.toFixed(4).padStart(7))
    write(`  t=${t}  h = [${h.join(', ')} ]`)
  }
}
