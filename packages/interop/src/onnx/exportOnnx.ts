import { type Cell, outputSize, type SequenceOptions, type Tensor } from '@cellgraph/graph'
import { InteropError } from '../errors.js'
import { type GateSource, type OnnxCellMap, onnxCellMaps } from './cellMaps.js'
import { type AttrValue, type OnnxNode, writeModel, writeTensor, writeValueInfo } from './onnxProto.js'
import type { ProtoWriter } from './protobufWriter.js'

/** A sequence model as `loadTorchStateDict` and `importOnnx` give it: its cells, options and parameters. */
export interface SequenceModel {
  readonly cells: readonly Cell[]
  readonly options?: SequenceOptions
  readonly params: Readonly<Record<string, Tensor>>
}

/**
 * An ONNX model (opset 14) of a stack of built-in cells, one ONNX `LSTM`, `GRU` or `RNN` operator
 * per layer. Inputs: `x` [T,B,I] (T and B symbolic), with lengths `sequence_lens` [B] (int32), and
 * per layer `l<k>.h0` (and `l<k>.c0`) [directions,B,H]; outputs `y` [T,B,directions·H] (PyTorch's
 * layout, as cellgraph's `y`) and per layer `l<k>.h` (and `l<k>.c`) [directions,B,H], the forward
 * direction first. Cells without an ONNX operator are exported by `exportOnnxScan`.
 */
export function exportOnnx(model: SequenceModel): Uint8Array {
  const { direction = 'forward', lengths = false, clip } = model.options ?? {}
  const D = direction === 'bidirectional' ? 2 : 1
  const nodes: OnnxNode[] = []
  const initializers: ((w: ProtoWriter) => void)[] = []
  const inputs: ((w: ProtoWriter) => void)[] = []
  const outputs: ((w: ProtoWriter) => void)[] = []
  const first = model.cells[0]
  if (!first) throw new InteropError('the model has no layers')
  inputs.push((w) => writeValueInfo(w, 'x', ['T', 'B', first.sizes.input]))
  if (lengths) inputs.push((w) => writeValueInfo(w, 'sequence_lens', ['B'], 'int32'))
  const constant = (
    name: string,
    dims: number[],
    values: ArrayLike<number>,
    type: 'float' | 'int64' = 'float',
  ) => initializers.push((w) => writeTensor(w, name, dims, values, type))
  constant('onnx.flatten_directions', [3], [0, 0, -1], 'int64')
  let x = 'x'
  model.cells.forEach((cell, k) => {
    const map = onnxCellMaps[cell.name]
    if (!map)
      throw new InteropError(`cell '${cell.name}' has no ONNX operator; export it with exportOnnxScan`)
    const H = cell.sizes.hidden
    const I = cell.sizes.input
    const prefixes = D === 2 ? [`l${k}.`, `l${k}.reverse.`] : [`l${k}.`]
    // A cell without biases (bias: false) exports without B, which the operators allow.
    const biased = cell.sizes.bias !== false
    const weights = prefixes.map((p) => onnxWeights(map, model.params, p, I, H, biased))
    const stackDirs = (pick: (w: OnnxWeights) => Float32Array) => {
      const parts = weights.map(pick)
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
      let at = 0
      for (const p of parts) out.set(p, (at += p.length) - p.length)
      return out
    }
    const G = map.gates.length
    constant(
      `l${k}.W`,
      [D, G * H, I],
      stackDirs((w) => w.W),
    )
    constant(
      `l${k}.R`,
      [D, G * H, H],
      stackDirs((w) => w.R),
    )
    if (biased)
      constant(
        `l${k}.B`,
        [D, 2 * G * H],
        stackDirs((w) => w.B!),
      )
    if (map.peepholes)
      constant(
        `l${k}.P`,
        [D, 3 * H],
        stackDirs((w) => w.P!),
      )
    const states = cell.state.map((s) => `l${k}.${s}`)
    for (const s of states) {
      inputs.push((w) => writeValueInfo(w, `${s}0`, [D, 'B', H]))
      outputs.push((w) => writeValueInfo(w, s, [D, 'B', H]))
    }
    const opInputs = [
      x,
      `l${k}.W`,
      `l${k}.R`,
      biased ? `l${k}.B` : '',
      lengths ? 'sequence_lens' : '',
      ...states.map((s) => `${s}0`),
    ]
    if (map.peepholes) opInputs.push(`l${k}.P`)
    const attrs: Record<string, AttrValue> = {
      hidden_size: { int: H },
      direction: { string: direction },
    }
    for (const [name, v] of Object.entries(map.attrs ?? {})) attrs[name] = { int: v }
    if (map.activations)
      attrs.activations = { strings: Array.from({ length: D }, () => map.activations!).flat() }
    if (clip !== undefined) attrs.clip = { float: clip }
    nodes.push({ op: map.op, name: `l${k}`, inputs: opInputs, outputs: [`l${k}.Y`, ...states], attrs })
    // Y is [T, directions, B, H]; the next layer (and `y`) reads [T, B, directions·H].
    const next = k === model.cells.length - 1 ? 'y' : `l${k}.y`
    nodes.push({
      op: 'Transpose',
      inputs: [`l${k}.Y`],
      outputs: [`l${k}.Yt`],
      attrs: { perm: { ints: [0, 2, 1, 3] } },
    })
    nodes.push({ op: 'Reshape', inputs: [`l${k}.Yt`, 'onnx.flatten_directions'], outputs: [next] })
    x = next
  })
  const last = model.cells.at(-1)!
  outputs.unshift((w) => writeValueInfo(w, 'y', ['T', 'B', D * outputSize(last)]))
  return writeModel('cellgraph', nodes, initializers, inputs, outputs)
}

interface OnnxWeights {
  readonly W: Float32Array
  readonly R: Float32Array
  readonly B?: Float32Array
  readonly P?: Float32Array
}

/**
 * One direction's W [G·H, I], R [G·H, H], B [2·G·H] (Wb then Rb; only when `biased`) and P [3·H]
 * from cellgraph parameters.
 */
function onnxWeights(
  map: OnnxCellMap,
  params: Readonly<Record<string, Tensor>>,
  prefix: string,
  I: number,
  H: number,
  biased: boolean,
): OnnxWeights {
  const param = (name: string, dims: readonly number[]): Tensor => {
    const t = params[prefix + name]
    if (!t) throw new InteropError(`parameter '${prefix}${name}' is missing`)
    if (t.dims.join() !== dims.join())
      throw new InteropError(`parameter '${prefix}${name}' has shape [${t.dims}], expected [${dims}]`)
    return t
  }
  const G = map.gates.length
  const W = new Float32Array(G * H * I)
  const R = new Float32Array(G * H * H)
  const B = biased ? new Float32Array(2 * G * H) : undefined
  map.gates.forEach((g: GateSource, k) => {
    if ('hx' in g) {
      const m = param(`${g.hx}.W`, [H, H + I]).data
      for (let r = 0; r < H; r++) {
        R.set(m.subarray(r * (H + I), r * (H + I) + H), (k * H + r) * H)
        W.set(m.subarray(r * (H + I) + H, (r + 1) * (H + I)), (k * H + r) * I)
      }
      B?.set(param(`${g.hx}.b`, [H]).data, k * H)
      if (g.recurrentBias) B?.set(param(`${g.hx}.b2`, [H]).data, (G + k) * H)
    } else {
      W.set(param(`${g.x}.W`, [H, I]).data, k * H * I)
      R.set(param(`${g.h}.W`, [H, H]).data, k * H * H)
      B?.set(param(`${g.x}.b`, [H]).data, k * H)
      B?.set(param(`${g.h}.b`, [H]).data, (G + k) * H)
    }
  })
  const P = map.peepholes ? new Float32Array(3 * H) : undefined
  map.peepholes?.forEach((p, k) => P!.set(param(p, [H]).data, k * H))
  return { W, R, ...(B ? { B } : {}), ...(P ? { P } : {}) }
}
