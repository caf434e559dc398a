import {
  type Cell,
  type CellDefinition,
  type Direction,
  type Graph,
  gru,
  lengthMask,
  lstm,
  peepholeLstm,
  rnn,
  type SequenceOptions,
  sequenceGraph,
  type Tensor,
  tensor,
} from '@cellgraph/graph'
import { InteropError } from '../errors.js'
import { rnnRelu } from '../rnnRelu.js'
import { type OnnxCellMap, onnxCellMaps } from './cellMaps.js'
import { onnxGru } from './onnxGru.js'
import { type OnnxTensor, readTensor } from './onnxTensor.js'
import { ProtoMessage } from './protobufReader.js'

/** What a graph output of the ONNX model is, in terms of cellgraph's outputs. */
export type OnnxOutput =
  | { readonly kind: 'Y'; readonly layer: number } // [T, directions, B, H]
  | { readonly kind: 'y'; readonly layer: number } // [T, B, directions·H]
  /** The final states of `layers`, each [directions, B, H], concatenated along the first axis. */
  | { readonly kind: 'state'; readonly layers: readonly number[]; readonly state: string }

/** Where a layer's initial state comes from: `count` slices [B, H] of an input from slice `first`. */
export interface StateSource {
  readonly input: string
  readonly first: number
}

/** An ONNX model of recurrent operators as a cellgraph model you can run, fine-tune and export again. */
export interface OnnxModel {
  readonly cells: readonly Cell[]
  readonly options: SequenceOptions
  /** `sequenceGraph(cells, options)`. */
  readonly graph: Graph
  /** Parameters by cellgraph name (`l<k>.<param>`, `l<k>.reverse.<param>`). */
  readonly params: Record<string, Tensor>
  /** The ONNX model's input names: the sequence, its lengths, each layer's initial states. */
  readonly inputNames: {
    readonly x: string
    readonly lengths?: string
    readonly states: Readonly<Record<string, StateSource>>
  }
  readonly outputs: Readonly<Record<string, OnnxOutput>>
  /**
   * cellgraph inputs (without parameters) from the ONNX model's feeds: `sequence_lens` becomes the
   * mask; an initial state given as a constant or not at all is filled in, as ONNX Runtime does.
   */
  inputsFrom(feeds: Readonly<Record<string, Tensor | Int32Array>>): Record<string, Tensor>
  /** The ONNX model's outputs, by its names, from cellgraph's outputs. */
  outputsOf(out: Readonly<Record<string, Tensor>>): Record<string, Tensor>
}

const defaultActivations: Record<string, readonly string[]> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  RNN: ['Tanh'],
}

interface OnnxNode {
  readonly op: string
  readonly name: string
  readonly inputs: readonly string[]
  readonly outputs: readonly string[]
  readonly attrs: ReadonlyMap<string, ProtoMessage>
}

const describe = (n: OnnxNode) => `node '${n.name || n.outputs[0]}' (${n.op})`

/**
 * Reads an ONNX model whose graph is a stack of `LSTM`, `GRU` or `RNN` operators (each layer's Y
 * flattened for the next by Transpose + Reshape or Squeeze, as exporters write it), with weights as
 * initializers. Every attribute of those operators is handled or refused with an error naming it;
 * any other operator is refused by name. GRU's `linear_before_reset=1` is the built-in `gru`, the
 * default 0 the cell `onnx_gru`; an LSTM with P is a `peephole_lstm`.
 */
export function importOnnx(bytes: Uint8Array): OnnxModel {
  const model = new ProtoMessage(bytes, 'ONNX model')
  if (!model.fields.has(7)) throw new InteropError('ONNX model: no graph (not an ONNX file?)')
  for (const o of model.messages(8, (k) => `opset_import[${k}]`)) {
    const domain = o.string(1)
    if (domain !== '' && domain !== 'ai.onnx')
      throw new InteropError(`ONNX model: operator set '${domain}' is not supported`)
  }
  const g = model.message(7, 'ONNX graph')!
  const nodes: OnnxNode[] = g
    .messages(1, (k) => `node ${k}`)
    .map((n) => ({
      op: n.string(4),
      name: n.string(3),
      inputs: n.strings(1),
      outputs: n.strings(2),
      attrs: new Map(n.messages(5, (k) => `node ${n.string(3)} attribute ${k}`).map((a) => [a.string(1), a])),
    }))
  const initializers = new Map(
    g
      .messages(5, (k) => `initializer ${k}`)
      .map((t) => {
        const v = readTensor(t)
        return [v.name, v]
      }),
  )
  for (const n of nodes.filter((n) => n.op === 'Constant')) {
    const value = n.attrs.get('value')
    if (!value || n.attrs.size !== 1)
      throw new InteropError(`${describe(n)}: only a 'value' tensor constant is supported`)
    initializers.set(n.outputs[0]!, readTensor(value.message(5, `${describe(n)} value`)!))
  }
  const graphInputs = g
    .messages(11, (k) => `input ${k}`)
    .map((v) => v.string(1))
    .filter((n) => !initializers.has(n))
  const graphOutputs = g.messages(12, (k) => `output ${k}`).map((v) => v.string(1))
  const producer = new Map<string, OnnxNode>()
  for (const n of nodes) for (const o of n.outputs) if (o) producer.set(o, n)

  const recurrent = nodes.filter((n) => n.op in defaultActivations)
  if (recurrent.length === 0) throw new InteropError('ONNX graph: no LSTM, GRU or RNN operator')
  const layers = recurrent.map((n) => readLayer(n, initializers))
  const direction = layers[0]!.direction
  const clip = layers[0]!.clip
  const lengthsName = recurrent[0]!.inputs[4] || undefined
  layers.forEach((l, k) => {
    const n = recurrent[k]!
    if (l.direction !== direction)
      throw new InteropError(
        `${describe(n)}: direction '${l.direction}' differs from layer 0's '${direction}'`,
      )
    if (l.clip !== clip)
      throw new InteropError(`${describe(n)}: clip ${l.clip} differs from layer 0's ${clip}`)
    if ((n.inputs[4] || undefined) !== lengthsName)
      throw new InteropError(`${describe(n)}: sequence_lens differs from layer 0's`)
  })
  if (lengthsName && !graphInputs.includes(lengthsName))
    throw new InteropError(`sequence_lens '${lengthsName}' must be a graph input`)

  // Each layer reads the graph input (layer 0) or the previous layer's Y through reshaping ops.
  const D = direction === 'bidirectional' ? 2 : 1
  const used = new Set<OnnxNode>(recurrent)
  const outputOf = new Map<string, OnnxOutput>()
  recurrent.forEach((n, k) => {
    outputOf.set(n.outputs[0] ?? '', { kind: 'Y', layer: k })
    const cell = layers[k]!.definition.spec.state
    cell.forEach((s, j) => {
      const name = n.outputs[1 + j]
      if (name) outputOf.set(name, { kind: 'state', layers: [k], state: s })
    })
  })
  const flattened = (name: string): { layer: number; via: OnnxNode[] } | undefined => {
    const last = producer.get(name)
    if (!last) return undefined
    if (last.op === 'Squeeze' && D === 1) {
      const axes =
        last.attrs.get('axes')?.ints(8) ??
        (last.inputs[1] ? initializers.get(last.inputs[1])?.data : undefined)
      const from = outputOf.get(last.inputs[0]!)
      if (from?.kind === 'Y' && axes && Array.from(axes).join() === '1')
        return { layer: from.layer, via: [last] }
    }
    if (last.op === 'Reshape') {
      const t = producer.get(last.inputs[0]!)
      const shape = initializers.get(last.inputs[1] ?? '')
      const perm = t?.op === 'Transpose' ? t.attrs.get('perm')?.ints(8).join() : undefined
      const from = t ? outputOf.get(t.inputs[0]!) : undefined
      const target = shape ? Array.from(shape.data) : []
      if (
        from?.kind === 'Y' &&
        perm === '0,2,1,3' &&
        target[0] === 0 &&
        target[1] === 0 &&
        target.length === 3
      )
        return { layer: from.layer, via: [t!, last] }
    }
    return undefined
  }
  recurrent.forEach((n, k) => {
    const x = n.inputs[0]!
    if (k === 0) {
      if (!graphInputs.includes(x)) throw new InteropError(`${describe(n)}: X '${x}' must be a graph input`)
      return
    }
    const from = flattened(x)
    if (!from || from.layer !== k - 1)
      throw new InteropError(
        `${describe(n)}: X '${x}' must be layer ${k - 1}'s Y, flattened by Transpose and Reshape or Squeeze`,
      )
    for (const v of from.via) used.add(v)
  })
  /** PyTorch's h_n: Concat(axis 0) of every layer's final state. */
  const concatenatedStates = (name: string): OnnxOutput | undefined => {
    const n = producer.get(name)
    if (n?.op !== 'Concat' || n.attrs.get('axis')?.int(3) !== 0) return undefined
    const parts = n.inputs.map((i) => outputOf.get(i))
    const state = parts[0]?.kind === 'state' ? parts[0].state : undefined
    if (!state || parts.some((p) => p?.kind !== 'state' || p.state !== state)) return undefined
    used.add(n)
    return { kind: 'state', state, layers: parts.flatMap((p) => (p as { layers: readonly number[] }).layers) }
  }
  const outputs: Record<string, OnnxOutput> = {}
  for (const name of graphOutputs) {
    const direct = outputOf.get(name)
    const flat = flattened(name)
    const joined = concatenatedStates(name)
    if (direct) outputs[name] = direct
    else if (joined) outputs[name] = joined
    else if (flat) {
      outputs[name] = { kind: 'y', layer: flat.layer }
      for (const v of flat.via) used.add(v)
    } else throw new InteropError(`graph output '${name}' is not a layer's Y, flattened Y or final state`)
    const o = outputs[name]!
    if (o.kind !== 'state' && o.layer !== recurrent.length - 1)
      throw new InteropError(
        `graph output '${name}' is the sequence of layer ${o.layer}; only the last layer's is an output`,
      )
  }
  const constantValues = (name: string | undefined) => (name ? initializers.get(name)?.data : undefined)
  /** Zeros of a computed shape (PyTorch's default initial states): the node and its shape arithmetic. */
  const isZeros = (source: string): boolean => {
    const n = producer.get(source)
    if (n?.op !== 'ConstantOfShape') return false
    const value = n.attrs.get('value')?.message(5, `${describe(n)} value`)
    if (value && readTensor(value).data.some((v) => v !== 0)) return false
    const shapeOps = new Set([
      'Shape',
      'Gather',
      'Unsqueeze',
      'Squeeze',
      'Concat',
      'Constant',
      'Cast',
      'Slice',
    ])
    const stack = [n]
    while (stack.length > 0) {
      const m = stack.pop()!
      used.add(m)
      for (const i of m.inputs) {
        const p = producer.get(i)
        if (p && !used.has(p) && shapeOps.has(p.op)) stack.push(p)
      }
    }
    return true
  }
  /** A graph input, or PyTorch's Slice of one combined [layers·directions, B, H] input. */
  const stateSource = (source: string): StateSource | undefined => {
    if (graphInputs.includes(source)) return { input: source, first: 0 }
    const n = producer.get(source)
    if (n?.op !== 'Slice' || !graphInputs.includes(n.inputs[0]!)) return undefined
    const [starts, ends, axes, steps] = [1, 2, 3, 4].map((i) => constantValues(n.inputs[i]))
    if (!starts || !ends || starts.length !== 1 || ends[0]! - starts[0]! !== D) return undefined
    if ((axes && axes[0] !== 0) || (steps && steps[0] !== 1)) return undefined
    used.add(n)
    return { input: n.inputs[0]!, first: starts[0]! / D }
  }
  const stateInputs: Record<string, StateSource> = {}
  const stateConstants: Record<string, OnnxTensor> = {}
  layers.forEach((l, k) => {
    const n = recurrent[k]!
    l.definition.spec.state.forEach((s, j) => {
      const source = n.inputs[5 + j]
      if (!source || isZeros(source)) return
      const fromInput = stateSource(source)
      if (fromInput) stateInputs[`l${k}.${s}`] = fromInput
      else if (initializers.has(source)) stateConstants[`l${k}.${s}`] = initializers.get(source)!
      else
        throw new InteropError(
          `${describe(n)}: initial ${s} '${source}' must be a graph input, a slice of one or a constant`,
        )
    })
  })
  for (const n of nodes)
    if (!used.has(n) && n.op !== 'Constant')
      throw new InteropError(
        `${describe(n)}: operator '${n.op}' is not supported here (only LSTM, GRU and RNN stacks)`,
      )

  const cells = layers.map((l) => l.definition({ input: l.input, hidden: l.hidden, bias: l.bias }))
  const options: SequenceOptions = {
    direction,
    ...(lengthsName ? { lengths: true } : {}),
    ...(clip !== undefined ? { clip } : {}),
  }
  const params: Record<string, Tensor> = {}
  layers.forEach((l, k) => Object.assign(params, l.params(k)))
  const prefixes = (k: number) => (D === 2 ? [`l${k}.`, `l${k}.reverse.`] : [`l${k}.`])
  return {
    cells,
    options,
    graph: sequenceGraph(cells, options),
    params,
    inputNames: {
      x: recurrent[0]!.inputs[0]!,
      ...(lengthsName ? { lengths: lengthsName } : {}),
      states: stateInputs,
    },
    outputs,
    inputsFrom(feeds) {
      const x = feeds[recurrent[0]!.inputs[0]!]
      if (!x || x instanceof Int32Array)
        throw new InteropError(`feed '${recurrent[0]!.inputs[0]}' (the sequence) is missing`)
      const [T, B] = x.dims as [number, number]
      const inputs: Record<string, Tensor> = { x }
      if (lengthsName) {
        const lens = feeds[lengthsName]
        if (!lens) throw new InteropError(`feed '${lengthsName}' (sequence_lens) is missing`)
        inputs.mask = lengthMask(Array.from(lens instanceof Int32Array ? lens : lens.data), T)
      }
      cells.forEach((cell, k) => {
        for (const s of cell.state) {
          const source = stateInputs[`l${k}.${s}`]
          const given = source ? feeds[source.input] : stateConstants[`l${k}.${s}`]
          if (source && !given)
            throw new InteropError(`feed '${source.input}' (layer ${k}'s initial ${s}) is missing`)
          const H = cell.sizes.hidden
          const first = (source?.first ?? 0) * D * B * H
          const values = given instanceof Int32Array ? Float64Array.from(given) : given?.data
          if (values && values.length < first + D * B * H)
            throw new InteropError(
              `'${source?.input ?? 'a constant'}' has ${values.length} values; layer ${k}'s initial ${s} needs ${first + D * B * H}`,
            )
          prefixes(k).forEach((p, d) => {
            const data = values?.subarray(first + d * B * H, first + (d + 1) * B * H)
            inputs[`${p}${s}0`] = tensor([B, H], data)
          })
        }
      })
      return inputs
    },
    outputsOf(out) {
      const result: Record<string, Tensor> = {}
      for (const [name, o] of Object.entries(outputs)) {
        if (o.kind === 'state') {
          result[name] = stackDirections(
            o.layers.flatMap((k) => prefixes(k).map((p) => out[`${p}${o.state}`]!)),
          )
          continue
        }
        const y = out.y!
        if (o.kind === 'y') result[name] = y
        else {
          // [T, B, D·H] → [T, D, B, H]
          const [T, B, DH] = y.dims as [number, number, number]
          const H = DH / D
          const Y = tensor([T, D, B, H])
          for (let t = 0; t < T; t++)
            for (let b = 0; b < B; b++)
              for (let d = 0; d < D; d++)
                Y.data.set(
                  y.data.subarray((t * B + b) * DH + d * H, (t * B + b) * DH + (d + 1) * H),
                  ((t * D + d) * B + b) * H,
                )
          result[name] = Y
        }
      }
      return result
    },
  }
}

function stackDirections(parts: readonly Tensor[]): Tensor {
  const [b, h] = parts[0]!.dims as [number, number]
  const out = tensor([parts.length, b, h])
  parts.forEach((p, d) => out.data.set(p.data, d * p.data.length))
  return out
}

/** One recurrent operator: its attributes checked, its cell and its parameters. */
function readLayer(n: OnnxNode, initializers: ReadonlyMap<string, OnnxTensor>) {
  const attr = (name: string) => n.attrs.get(name)
  const known = new Set([
    'hidden_size',
    'direction',
    'activations',
    'activation_alpha',
    'activation_beta',
    'clip',
    'layout',
  ])
  if (n.op === 'LSTM') known.add('input_forget')
  if (n.op === 'GRU') known.add('linear_before_reset')
  for (const name of n.attrs.keys())
    if (!known.has(name)) throw new InteropError(`${describe(n)}: unknown attribute '${name}'`)
  const hidden = attr('hidden_size')?.int(3) ?? 0
  const direction = (attr('direction')?.string(4) ?? 'forward') as Direction
  if (!['forward', 'reverse', 'bidirectional'].includes(direction))
    throw new InteropError(
      `${describe(n)}: direction '${direction}' is not forward, reverse or bidirectional`,
    )
  const D = direction === 'bidirectional' ? 2 : 1
  const activations = attr('activations')?.strings(9)
  const defaults = defaultActivations[n.op]!
  const perDirection = (a: readonly string[]) =>
    Array.from({ length: D }, () => a)
      .flat()
      .join()
  // An RNN with ReLU is its own cell; any other choice of activations is refused.
  const reluRnn = n.op === 'RNN' && activations?.join() === perDirection(['Relu'])
  if (activations && !reluRnn && activations.join() !== perDirection(defaults))
    throw new InteropError(
      `${describe(n)}: activations [${activations.join(', ')}] are not supported (only ${defaults.join(', ')} per direction${n.op === 'RNN' ? ', or Relu' : ''})`,
    )
  for (const name of ['activation_alpha', 'activation_beta'])
    if (attr(name))
      throw new InteropError(
        `${describe(n)}: attribute '${name}' is not supported (default activations only)`,
      )
  if ((attr('layout')?.int(3) ?? 0) !== 0)
    throw new InteropError(
      `${describe(n)}: layout=1 (batch-first) is not supported; transpose the data to time-major`,
    )
  if ((attr('input_forget')?.int(3) ?? 0) !== 0)
    throw new InteropError(`${describe(n)}: input_forget=1 is not supported`)
  const clipAttr = attr('clip')
  const clip = clipAttr ? clipAttr.float(2) : undefined
  const weight = (k: number, role: string) => {
    const name = n.inputs[k]
    if (!name) return undefined
    const t = initializers.get(name)
    if (!t) throw new InteropError(`${describe(n)}: ${role} '${name}' must be an initializer or a constant`)
    return t
  }
  const W = weight(1, 'W')
  const R = weight(2, 'R')
  if (!W || !R) throw new InteropError(`${describe(n)}: W and R are required`)
  const B = weight(3, 'B')
  const P = n.op === 'LSTM' ? weight(7, 'P') : undefined
  const lbr = attr('linear_before_reset')?.int(3) ?? 0
  const [cellName, definition]: [string, CellDefinition] =
    n.op === 'LSTM'
      ? P
        ? ['peephole_lstm', peepholeLstm]
        : ['lstm', lstm]
      : n.op === 'RNN'
        ? reluRnn
          ? ['rnn_relu', rnnRelu]
          : ['rnn', rnn]
        : lbr
          ? ['gru', gru]
          : ['onnx_gru', onnxGru]
  const map: OnnxCellMap = onnxCellMaps[cellName]!
  const G = map.gates.length
  if (!(Number.isInteger(hidden) && hidden > 0))
    throw new InteropError(`${describe(n)}: hidden_size must be a positive integer, got ${hidden}`)
  const input = W.dims[2] ?? 0
  const expect = (t: OnnxTensor, dims: number[], role: string) => {
    if (t.dims.join() !== dims.join())
      throw new InteropError(`${describe(n)}: ${role} '${t.name}' has shape [${t.dims}], expected [${dims}]`)
  }
  expect(W, [D, G * hidden, input], 'W')
  expect(R, [D, G * hidden, hidden], 'R')
  if (B) expect(B, [D, 2 * G * hidden], 'B')
  if (P) expect(P, [D, 3 * hidden], 'P')
  const H = hidden
  const I = input
  const params = (k: number): Record<string, Tensor> => {
    const out: Record<string, Tensor> = {}
    for (let d = 0; d < D; d++) {
      const prefix = d === 0 ? `l${k}.` : `l${k}.reverse.`
      const w = W.data.subarray(d * G * H * I, (d + 1) * G * H * I)
      const r = R.data.subarray(d * G * H * H, (d + 1) * G * H * H)
      // Without B the operator has no biases, and neither has the cell (bias: false).
      const b = B?.data.subarray(d * 2 * G * H, (d + 1) * 2 * G * H)
      map.gates.forEach((g, j) => {
        const wb = b?.subarray(j * H, (j + 1) * H)
        const rb = b?.subarray((G + j) * H, (G + j + 1) * H)
        if ('hx' in g) {
          const m = tensor([H, H + I])
          for (let row = 0; row < H; row++) {
            m.data.set(r.subarray((j * H + row) * H, (j * H + row + 1) * H), row * (H + I))
            m.data.set(w.subarray((j * H + row) * I, (j * H + row + 1) * I), row * (H + I) + H)
          }
          out[`${prefix}${g.hx}.W`] = m
          if (!wb || !rb) return
          if (g.recurrentBias) {
            out[`${prefix}${g.hx}.b`] = tensor([H], wb)
            out[`${prefix}${g.hx}.b2`] = tensor([H], rb)
          } else
            out[`${prefix}${g.hx}.b`] = tensor(
              [H],
              wb.map((v, i) => v + rb[i]!),
            )
        } else {
          out[`${prefix}${g.x}.W`] = tensor([H, I], w.subarray(j * H * I, (j + 1) * H * I))
          out[`${prefix}${g.h}.W`] = tensor([H, H], r.subarray(j * H * H, (j + 1) * H * H))
          if (!wb || !rb) return
          out[`${prefix}${g.x}.b`] = tensor([H], wb)
          out[`${prefix}${g.h}.b`] = tensor([H], rb)
        }
      })
      map.peepholes?.forEach((p, j) => {
        out[`${prefix}${p}`] = tensor([H], P!.data.subarray((d * 3 + j) * H, (d * 3 + j + 1) * H))
      })
    }
    return out
  }
  return { direction, clip, definition, input, hidden, bias: B !== undefined, params }
}
