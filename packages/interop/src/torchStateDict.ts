import {
  type Cell,
  cellParams,
  type Direction,
  fromTorch,
  type Graph,
  gru,
  lstm,
  nullMap,
  rnn,
  type SequenceOptions,
  sequenceGraph,
  stackCells,
  type Tensor,
  tensor,
  toTorch,
} from '@cellgraph/graph'
import { type Dtype, decodeSafetensors, encodeSafetensors, type StoredTensor } from '@cellgraph/train'
import { InteropError } from './errors.js'
import { rnnRelu } from './rnnRelu.js'

/**
 * The PyTorch modules a state dict can come from: nn.RNN (`rnn`: tanh; `rnn_relu`:
 * nonlinearity='relu'), nn.LSTM and nn.GRU.
 */
export type TorchCell = 'rnn' | 'rnn_relu' | 'lstm' | 'gru'

const definitions = { rnn, rnn_relu: rnnRelu, lstm, gru } as const
const firstGate: Record<TorchCell, string> = { rnn: 'rnn', rnn_relu: 'rnn', lstm: 'i', gru: 'r' }
const moduleName = (cell: TorchCell) => (cell.startsWith('rnn') ? 'nn.RNN' : `nn.${cell.toUpperCase()}`)

/** The constructor arguments of the PyTorch module (sizes come from the tensors). */
export interface TorchModule {
  readonly cell: TorchCell
  /** `num_layers`; default 1. */
  readonly layers?: number
  /** Default false. */
  readonly bidirectional?: boolean
  /** Default true; `false` gives cells without bias parameters (`lstm({ ..., bias: false })`). */
  readonly bias?: boolean
  /** Default false; data is converted with `swapLeadingAxes` (cellgraph is time-major). */
  readonly batchFirst?: boolean
  /**
   * Where the module sits in a larger model's state dict, e.g. `'rnn.'` for a model's `self.rnn`:
   * tensors named under it are the module's, the others (a head, an embedding) are left for the
   * caller in `others`. Default: the whole file is the module's.
   */
  readonly prefix?: string
}

/** A model loaded from a PyTorch state dict, ready to run, differentiate and fine-tune. */
export interface TorchModel {
  readonly module: Required<TorchModule> & { readonly input: number; readonly hidden: number }
  readonly cells: readonly Cell[]
  readonly options: SequenceOptions
  /** `sequenceGraph(cells, options)`: inputs `x`, `l<k>.<state>0`, parameters; outputs `y`, states. */
  readonly graph: Graph
  /** Parameters by cellgraph name (`l<k>.<param>`, `l<k>.reverse.<param>`), float64. */
  readonly params: Record<string, Tensor>
  /** With `prefix`, the file's other tensors by their own names, float64. */
  readonly others: Record<string, Tensor>
}

const fullModule = (m: TorchModule) => {
  if (!(m.cell in definitions))
    throw new InteropError(`cell must be one of ${Object.keys(definitions).join(', ')}, got '${m.cell}'`)
  const layers = m.layers ?? 1
  if (!Number.isInteger(layers) || layers < 1)
    throw new InteropError(`layers must be a positive integer, got ${m.layers}`)
  return {
    cell: m.cell,
    layers,
    bidirectional: m.bidirectional ?? false,
    bias: m.bias ?? true,
    batchFirst: m.batchFirst ?? false,
    prefix: m.prefix ?? '',
  }
}

/** PyTorch's name suffixes per layer and direction, with cellgraph's name prefixes. */
const directionsOf = (bidirectional: boolean) =>
  bidirectional
    ? [
        { suffix: '', prefix: '' },
        { suffix: '_reverse', prefix: 'reverse.' },
      ]
    : [{ suffix: '', prefix: '' }]

/** The cells and sequence options of a PyTorch module at the given sizes. */
export function torchStack(module: TorchModule, input: number, hidden: number) {
  const m = fullModule(module)
  const direction: Direction = m.bidirectional ? 'bidirectional' : 'forward'
  const cells = stackCells(definitions[m.cell], { input, hidden, layers: m.layers, direction, bias: m.bias })
  return { module: { ...m, input, hidden }, cells, options: { direction } satisfies SequenceOptions }
}

/**
 * Loads a PyTorch `state_dict` saved with safetensors (`safetensors.torch.save_file(m.state_dict())`)
 * for nn.RNN, nn.LSTM or nn.GRU with the given constructor arguments. F32, F64, F16 and BF16
 * tensors are read; names, shapes and dtypes are checked, and a tensor the module does not have
 * is an error naming it. With `lengths: true` the graph takes the step mask `mask` (`lengthMask`),
 * as the module does packed sequences.
 */
export function loadTorchStateDict(
  bytes: Uint8Array,
  module: TorchModule & Pick<SequenceOptions, 'lengths'>,
): TorchModel {
  const m = fullModule(module)
  const tensors = nullMap<StoredTensor>()
  const others = nullMap<Tensor>()
  for (const [name, t] of Object.entries(decodeWithContext(bytes).tensors))
    if (name.startsWith(m.prefix)) tensors[name.slice(m.prefix.length)] = t
    else others[name] = tensor(t.shape, t.data)
  const sizeOf = (name: string, axis: number) => {
    const t = tensors[name]
    if (!t)
      throw new InteropError(`the state dict has no '${m.prefix}${name}' (is it an ${moduleName(m.cell)}?)`)
    return t.shape[axis]!
  }
  const stack = torchStack(m, sizeOf('weight_ih_l0', 1), sizeOf('weight_hh_l0', 1))
  const torch = nullMap<Tensor>()
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32' && t.dtype !== 'F64' && t.dtype !== 'F16' && t.dtype !== 'BF16')
      throw new InteropError(
        `tensor '${m.prefix}${name}' has dtype ${t.dtype}; weights must be F32, F64, F16 or BF16`,
      )
    torch[name] = tensor(t.shape, t.data)
  }
  const expected = new Set<string>()
  const params: Record<string, Tensor> = {}
  stack.cells.forEach((cell, l) => {
    const layout = cell.torch!
    const shapes = Object.fromEntries(cellParams(cell).map((p) => [p.name, p.shape]))
    for (const { suffix, prefix } of directionsOf(m.bidirectional)) {
      const tail = `_l${l}${suffix}`
      for (const t of layout) expected.add(t.name + tail)
      const loaded = fromTorch(layout, torch, shapes, tail)
      for (const [p, v] of Object.entries(loaded)) params[`l${l}.${prefix}${p}`] = v
    }
  })
  for (const name of Object.keys(torch))
    if (!expected.has(name))
      throw new InteropError(
        `the state dict has '${m.prefix}${name}', which ${moduleName(m.cell)}(layers=${m.layers}, bidirectional=${m.bidirectional}, bias=${m.bias}) does not`,
      )
  const options = { ...stack.options, lengths: module.lengths ?? false }
  return { ...stack, options, graph: sequenceGraph(stack.cells, options), params, others }
}

export interface SaveOptions {
  /** Default F32. F16 and BF16 round to nearest, ties to even, as PyTorch's casts do. */
  readonly dtype?: 'F32' | 'F64' | 'F16' | 'BF16'
}

/**
 * Saves cellgraph parameters (`l<k>.<param>` names, as `loadTorchStateDict` gives them) as a
 * PyTorch state dict in safetensors form, loadable with `module.load_state_dict(load_file(path))`.
 */
export function saveTorchStateDict(
  params: Readonly<Record<string, Tensor>>,
  module: TorchModule,
  options: SaveOptions = {},
): Uint8Array {
  const dtype: Dtype = options.dtype ?? 'F32'
  if (!['F32', 'F64', 'F16', 'BF16'].includes(dtype))
    throw new InteropError(`dtype must be F32, F64, F16 or BF16, got '${dtype}'`)
  const m = fullModule(module)
  // Layer 0's first gate is a layer over [h, x]: [hidden, hidden + input].
  const gate = `l0.${firstGate[m.cell]}.W`
  const first = params[gate]
  if (!first)
    throw new InteropError(`parameter '${gate}' is missing (the parameters of an ${moduleName(m.cell)})`)
  const hidden = first.dims[0]!
  const input = first.dims[1]! - hidden
  const { cells } = torchStack(m, input, hidden)
  // Biases the module has no place for would be lost without a word.
  const bias = `l0.${firstGate[m.cell]}.b`
  if (!m.bias && params[bias])
    throw new InteropError(`parameter '${bias}' is a bias, but the module has bias=False`)
  const out: Record<string, StoredTensor> = {}
  cells.forEach((cell, l) => {
    for (const { suffix, prefix } of directionsOf(m.bidirectional)) {
      const own: Record<string, Tensor> = {}
      for (const p of cellParams(cell)) {
        const v = params[`l${l}.${prefix}${p.name}`]
        if (!v) throw new InteropError(`parameter 'l${l}.${prefix}${p.name}' is missing`)
        if (v.dims.join() !== p.shape.join())
          throw new InteropError(
            `parameter 'l${l}.${prefix}${p.name}' has shape [${v.dims}], expected [${p.shape}]`,
          )
        own[p.name] = v
      }
      for (const [name, t] of Object.entries(toTorch(cell.torch!, own, `_l${l}${suffix}`))) {
        const data = dtype === 'F64' ? Float64Array.from(t.data) : Float32Array.from(t.data)
        out[m.prefix + name] = { dtype, shape: t.dims, data }
      }
    }
  })
  return encodeSafetensors(out)
}

function decodeWithContext(bytes: Uint8Array) {
  try {
    return decodeSafetensors(bytes)
  } catch (e) {
    throw new InteropError(`not a readable safetensors file: ${(e as Error).message}`)
  }
}
