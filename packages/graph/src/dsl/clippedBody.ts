import { GraphError } from '../errors.js'
import type { Graph, Node } from '../ir.js'
import { freshIds } from './freshIds.js'

const activationOps = new Set(['sigmoid', 'tanh', 'relu'])

/**
 * `body` with the input of every activation clamped to [−clip, clip], except an activation of a
 * new state itself (an LSTM's tanh(c')): ONNX's `clip` of gate pre-activations in RNN, GRU and
 * LSTM, as ONNX Runtime computes it. A `layer` with an activation becomes an affine `layer`, a
 * `clamp` and the activation (which keeps the layer's id, so its users are unchanged); a
 * sigmoid/tanh/relu node reads a clamped input. The first `carries` outputs are the new states.
 */
export function clippedBody(body: Graph, clip: number, carries: number): Graph {
  if (!(Number.isFinite(clip) && clip > 0))
    throw new GraphError(`clip must be a positive number, got ${clip}`)
  const fresh = freshIds(body)
  const states = new Set(body.outputs.slice(0, carries).map((o) => o.ref))
  const nodes: Node[] = []
  const clamped = (input: string, base: string): string => {
    const id = fresh(`${base}.clip`)
    nodes.push({ id, op: 'clamp', inputs: [input], attrs: { min: -clip, max: clip } })
    return id
  }
  for (const n of body.nodes) {
    if (n.op === 'layer' && (n as Node<'layer'>).attrs.activation !== 'identity') {
      const { activation } = (n as Node<'layer'>).attrs
      const pre = fresh(`${n.id}.pre`)
      nodes.push({ ...n, id: pre, attrs: { activation: 'identity' } } as Node)
      nodes.push({ id: n.id, op: activation, inputs: [clamped(pre, n.id)], attrs: {} } as Node)
    } else if (activationOps.has(n.op) && !states.has(n.inputs[0]!)) {
      nodes.push({ ...n, inputs: [clamped(n.inputs[0]!, n.id)] })
    } else nodes.push(n)
  }
  return { ...body, nodes }
}
