import { ProtoWriter } from './protobufWriter.js'

/** Field numbers and enums of onnx.proto used here (ModelProto, GraphProto, NodeProto, ...). */
export const onnx = {
  irVersion: 8,
  opset: 14,
  type: { float: 1, int32: 6, int64: 7, bool: 9, float16: 10, double: 11, bfloat16: 16 },
  attr: { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8 },
} as const

export type AttrValue =
  | { readonly float: number }
  | { readonly int: number }
  | { readonly string: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly strings: readonly string[] }
  | { readonly graph: (w: ProtoWriter) => void }
  | { readonly tensor: (w: ProtoWriter) => void }

export interface OnnxNode {
  readonly op: string
  readonly inputs: readonly string[]
  readonly outputs: readonly string[]
  readonly name?: string
  readonly attrs?: Readonly<Record<string, AttrValue>>
}

export function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i)
  for (const o of n.outputs) w.string(2, o)
  if (n.name) w.string(3, n.name)
  w.string(4, n.op)
  for (const [name, v] of Object.entries(n.attrs ?? {}))
    w.message(5, (a) => {
      a.string(1, name)
      if ('float' in v) a.float(2, v.float).int(20, onnx.attr.float)
      else if ('int' in v) a.int(3, v.int).int(20, onnx.attr.int)
      else if ('string' in v) a.string(4, v.string).int(20, onnx.attr.string)
      else if ('tensor' in v) a.message(5, v.tensor).int(20, onnx.attr.tensor)
      else if ('graph' in v) a.message(6, v.graph).int(20, onnx.attr.graph)
      else if ('floats' in v) {
        for (const f of v.floats) a.float(7, f)
        a.int(20, onnx.attr.floats)
      } else if ('ints' in v) {
        for (const i of v.ints) a.int(8, i)
        a.int(20, onnx.attr.ints)
      } else {
        for (const s of v.strings) a.string(9, s)
        a.int(20, onnx.attr.strings)
      }
    })
}

/** A tensor: float32 (raw little-endian data), int32 or int64 values. */
export function writeTensor(
  w: ProtoWriter,
  name: string,
  dims: readonly number[],
  values: ArrayLike<number>,
  type: 'float' | 'int32' | 'int64' = 'float',
): void {
  for (const d of dims) w.int(1, d)
  w.int(2, onnx.type[type])
  if (name) w.string(8, name)
  if (type === 'float') {
    const data = Float32Array.from(values)
    w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  } else if (type === 'int32') for (let i = 0; i < values.length; i++) w.int(5, values[i]!)
  else for (let i = 0; i < values.length; i++) w.int(7, values[i]!)
}

/** A graph input or output; a string dim is symbolic (the sequence length, the batch). */
export function writeValueInfo(
  w: ProtoWriter,
  name: string,
  dims: readonly (number | string)[],
  type: 'float' | 'int32' | 'int64' = 'float',
): void {
  w.string(1, name)
  w.message(2, (t) =>
    t.message(1, (tensor) => {
      tensor.int(1, onnx.type[type])
      tensor.message(2, (shape) => {
        for (const d of dims)
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)))
      })
    }),
  )
}

type Write = (w: ProtoWriter) => void

/** A GraphProto: nodes, initializers, inputs and outputs (a model's graph or a Scan's body). */
export function writeGraph(
  w: ProtoWriter,
  name: string,
  nodes: readonly OnnxNode[],
  initializers: readonly Write[],
  inputs: readonly Write[],
  outputs: readonly Write[],
): void {
  for (const n of nodes) w.message(1, (m) => writeNode(m, n))
  w.string(2, name)
  for (const init of initializers) w.message(5, init)
  for (const i of inputs) w.message(11, i)
  for (const o of outputs) w.message(12, o)
}

/** A ModelProto of opset 14 around one graph. */
export function writeModel(
  name: string,
  nodes: readonly OnnxNode[],
  initializers: readonly Write[],
  inputs: readonly Write[],
  outputs: readonly Write[],
): Uint8Array {
  return new ProtoWriter()
    .int(1, onnx.irVersion)
    .string(2, 'cellgraph')
    .message(8, (opset) => opset.string(1, '').int(2, onnx.opset))
    .message(7, (graph) => writeGraph(graph, name, nodes, initializers, inputs, outputs))
    .finish()
}
