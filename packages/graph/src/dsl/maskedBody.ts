import type { Graph, Node } from '../ir.js'
import { freshIds } from './freshIds.js'

/**
 * The body of a length-masked scan: `body` with one more sequence input, the step mask `[B,1]`
 * (1 while t < the sequence's length, 0 past it), bound right after the body's `sequences`
 * sequences. Past a sequence's length its carries stay unchanged and its per-step outputs are zero,
 * as with PyTorch's packed sequences and ONNX's `sequence_lens`; `where` sends no cotangent to the
 * branch it did not pick, so nothing computed on padding reaches a gradient.
 */
export function maskedBody(body: Graph, carries: number, sequences = 1): Graph {
  const fresh = freshIds(body)
  const mask = fresh('mask')
  const zero = fresh('zero')
  const nodes: Node[] = [
    ...body.nodes,
    { id: mask, op: 'input', inputs: [], attrs: { name: mask, type: { layout: 'batch', shape: [1] } } },
    { id: zero, op: 'constant', inputs: [], attrs: { value: 0 } },
  ]
  const inputs = [...body.inputs]
  inputs.splice(carries + sequences, 0, mask)
  const outputs = body.outputs.map((o, k) => {
    // A carry keeps its previous value (the body's input k); an output becomes zero.
    const otherwise = k < carries ? body.inputs[k]! : zero
    const id = fresh(`${o.name}.masked`)
    nodes.push({ id, op: 'where', inputs: [mask, o.ref, otherwise], attrs: {} })
    return { name: o.name, ref: id }
  })
  return { inputs, nodes, outputs }
}
