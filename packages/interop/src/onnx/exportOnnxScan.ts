import { type Graph, type Node, nodeMap, signature, type Tensor, type ValueType } from '@cellgraph/graph'
import { InteropError } from '../errors.js'
import {
  type AttrValue,
  type OnnxNode,
  writeGraph,
  writeModel,
  writeTensor,
  writeValueInfo,
} from './onnxProto.js'
import type { ProtoWriter } from './protobufWriter.js'

/** ONNX dims of a cellgraph value: batch values [B, F], sequences [T, B, F], tensors as they are. */
const dimsOf = (t: ValueType): (number | string)[] =>
  t.layout === 'tensor' ? [...t.shape] : t.layout === 'batch' ? ['B', ...t.shape] : ['T', 'B', ...t.shape]

const unary: Readonly<Record<string, string>> = {
  neg: 'Neg',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  exp: 'Exp',
  log: 'Log',
  sqrt: 'Sqrt',
}
const binary: Readonly<Record<string, string>> = {
  add: 'Add',
  sub: 'Sub',
  mul: 'Mul',
  div: 'Div',
  max: 'Max',
  min: 'Min',
}
const activationOp: Readonly<Record<string, string | undefined>> = {
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  identity: undefined,
}
const float32 = 1
const bool = 9

/** Lowers a cellgraph graph's nodes to ONNX nodes; `names` maps the leaves (and grows with every value). */
class Lowering {
  readonly nodes: OnnxNode[] = []
  private count = 0

  constructor(private readonly prefix: string) {}

  fresh(base: string): string {
    return `${this.prefix}${base}#${++this.count}`
  }

  emit(op: string, inputs: string[], attrs?: Record<string, AttrValue>, output = this.fresh(op)): string {
    this.nodes.push({ op, inputs, outputs: [output], ...(attrs ? { attrs } : {}) })
    return output
  }

  constant(values: number[], dims: number[], type: 'float' | 'int64' = 'float'): string {
    return this.emit('Constant', [], { value: { tensor: (w) => writeTensor(w, '', dims, values, type) } })
  }

  lower(graph: Graph, names: Map<string, string>): void {
    const read = (r: string) => {
      const name = names.get(r)
      if (name === undefined) throw new InteropError(`value %${r} is not defined before use`)
      return name
    }
    for (const n of graph.nodes) {
      if (names.has(n.id)) continue // a leaf
      const args = n.inputs.map(read)
      const out = `${this.prefix}${n.id}`
      const set = (name: string) => names.set(n.id, name)
      const op = n.op
      if (op === 'constant') set(this.constant([(n.attrs as { value: number }).value], []))
      else if (unary[op]) set(this.emit(unary[op]!, args, undefined, out))
      else if (binary[op]) set(this.emit(binary[op]!, args, undefined, out))
      else if (op === 'rsqrt') set(this.emit('Reciprocal', [this.emit('Sqrt', args)], undefined, out))
      else if (op === 'oneMinus') set(this.emit('Sub', [this.constant([1], []), args[0]!], undefined, out))
      else if (op === 'greater')
        set(this.emit('Cast', [this.emit('Greater', args)], { to: { int: float32 } }, out))
      else if (op === 'isfinite') {
        const bad = this.emit('Or', [this.emit('IsNaN', args), this.emit('IsInf', args)])
        set(this.emit('Cast', [this.emit('Not', [bad])], { to: { int: float32 } }, out))
      } else if (op === 'where') {
        const cond = this.emit('Cast', [args[0]!], { to: { int: bool } })
        set(this.emit('Where', [cond, args[1]!, args[2]!], undefined, out))
      } else if (op === 'clamp') {
        const { min, max } = n.attrs as { min: number; max: number }
        set(this.emit('Clip', [args[0]!, this.constant([min], []), this.constant([max], [])], undefined, out))
      } else if (op === 'layer') {
        const [x, w, ...biases] = args
        let v = this.emit('MatMul', [x!, this.emit('Transpose', [w!], { perm: { ints: [1, 0] } })])
        for (const b of biases) v = this.emit('Add', [v, b])
        const act = activationOp[(n.attrs as { activation: string }).activation]
        set(act ? this.emit(act, [v], undefined, out) : this.emit('Identity', [v], undefined, out))
      } else if (op === 'matmul') {
        const b = (n.attrs as { transposeB: boolean }).transposeB
          ? this.emit('Transpose', [args[1]!], { perm: { ints: [1, 0] } })
          : args[1]!
        set(this.emit('MatMul', [args[0]!, b], undefined, out))
      } else if (op === 'concat') set(this.emit('Concat', args, { axis: { int: -1 } }, out))
      else if (op === 'slice') {
        const { start, end } = n.attrs as { start: number; end: number }
        const c = (v: number) => this.constant([v], [1], 'int64')
        set(this.emit('Slice', [args[0]!, c(start), c(end), c(-1)], undefined, out))
      } else if (op === 'reduceSum')
        set(
          this.emit(
            'ReduceSum',
            [args[0]!, this.constant([-1], [1], 'int64')],
            { keepdims: { int: 1 } },
            out,
          ),
        )
      else if (op === 'reduceMean' || op === 'reduceMax')
        set(
          this.emit(
            op === 'reduceMean' ? 'ReduceMean' : 'ReduceMax',
            args,
            { axes: { ints: [-1] }, keepdims: { int: 1 } },
            out,
          ),
        )
      else if (op === 'softmax') set(this.emit('Softmax', args, { axis: { int: -1 } }, out))
      else if (op === 'scan') this.scan(n as Node<'scan'>, args, names)
      else throw new InteropError(`node %${n.id} (${op}) has no ONNX form`)
    }
  }

  /** A cellgraph scan as an ONNX Scan: parameters are read from the outer scope inside the body. */
  private scan(n: Node<'scan'>, args: string[], names: Map<string, string>) {
    const { body, carries, sequences, reverse } = n.attrs
    const inner = new Lowering(`${this.prefix}${n.id}/`)
    const bodyNames = new Map<string, string>()
    const bodyTypes = signature(body)
    const formal: ((w: ProtoWriter) => void)[] = []
    body.inputs.forEach((id, i) => {
      if (i < carries + sequences) {
        const name = `${this.prefix}${n.id}/${id}`
        bodyNames.set(id, name)
        formal.push((w) => writeValueInfo(w, name, dimsOf(bodyTypes.inputs[i]!)))
      } else bodyNames.set(id, args[i]!) // a loop invariant: the outer value itself
    })
    inner.lower(body, bodyNames)
    const results = body.outputs.map((o, k) => {
      const name = `${this.prefix}${n.id}/out${k}`
      inner.emit('Identity', [resolve(bodyNames, o.ref)], undefined, name)
      return name
    })
    const outs = body.outputs.map((_, k) => `${this.prefix}${n.id}:${k}`)
    const steps = body.outputs.length - carries
    this.nodes.push({
      op: 'Scan',
      name: `${this.prefix}${n.id}`,
      inputs: args.slice(0, carries + sequences),
      outputs: outs,
      attrs: {
        num_scan_inputs: { int: sequences },
        scan_input_directions: { ints: Array(sequences).fill(reverse ? 1 : 0) },
        scan_output_directions: { ints: Array(steps).fill(reverse ? 1 : 0) },
        body: {
          graph: (w) =>
            writeGraph(
              w,
              `${n.id}`,
              inner.nodes,
              [],
              formal,
              results.map(
                (name, k) => (g: ProtoWriter) => writeValueInfo(g, name, dimsOf(bodyTypes.outputs[k]!)),
              ),
            ),
        },
      },
    })
    outs.forEach((name, k) => names.set(k === 0 ? n.id : `${n.id}:${k}`, name))
  }
}

const resolve = (names: ReadonlyMap<string, string>, r: string): string => {
  const name = names.get(r)
  if (name === undefined) throw new InteropError(`value %${r} is not defined`)
  return name
}

/**
 * Any cellgraph graph (a `sequenceGraph` of any cells, with lengths, directions and clip, or a
 * whole model with input and output layers) as an ONNX model: each `scan` an ONNX `Scan` over its
 * body, parameters as initializers. The ONNX model has the graph's own inputs and outputs, by
 * name: batch values [B,F], sequences [T,B,F] (B and T symbolic); a length mask stays a float input.
 */
export function exportOnnxScan(graph: Graph, params: Readonly<Record<string, Tensor>>): Uint8Array {
  const types = signature(graph)
  const byId = nodeMap(graph)
  const names = new Map<string, string>()
  const inputs: ((w: ProtoWriter) => void)[] = []
  const initializers: ((w: ProtoWriter) => void)[] = []
  graph.inputs.forEach((id, i) => {
    const n = byId.get(id)!
    const name = (n.attrs as { name: string }).name
    names.set(id, name)
    if (n.op === 'param') {
      const t = params[name]
      const shape = (n.attrs as { shape: number[] }).shape
      if (!t) throw new InteropError(`parameter '${name}' is missing`)
      if (t.dims.join() !== shape.join())
        throw new InteropError(`parameter '${name}' has shape [${t.dims}], expected [${shape}]`)
      initializers.push((w) => writeTensor(w, name, shape, t.data))
    } else inputs.push((w) => writeValueInfo(w, name, dimsOf(types.inputs[i]!)))
  })
  const lowering = new Lowering('')
  lowering.lower(graph, names)
  const outputs = graph.outputs.map((o, k) => {
    lowering.emit('Identity', [resolve(names, o.ref)], undefined, o.name)
    return (w: ProtoWriter) => writeValueInfo(w, o.name, dimsOf(types.outputs[k]!))
  })
  return writeModel('cellgraph', lowering.nodes, initializers, inputs, outputs)
}
