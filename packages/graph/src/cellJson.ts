import type { Cell } from './dsl/cell.js'
import { JsonFormatError } from './errors.js'
import { graphFromJson } from './json.js'
import { asArray, asBoolean, asName, asObject, onlyFields, own, parseJsonText } from './schema.js'
import { readTorchLayout } from './torchLayoutJson.js'
import { signature } from './verify.js'

const FORMAT = 'cellgraph-cell'
const VERSION = 1
/** The largest input or hidden size a cell document may declare. */
const MAX_SIZE = 65_536

/** A cell as a self-describing JSON document (format, version, name, sizes, state, graph, torch). */
export const cellToJson = (cell: Cell, indent = 2): string =>
  JSON.stringify({ format: FORMAT, version: VERSION, ...cell }, null, indent || undefined)

/** A cell from JSON text or a parsed object; malformed fields are named in the error. */
export function cellFromJson(source: string | unknown): Cell {
  const doc = typeof source === 'string' ? parseJsonText(source) : source
  const d = asObject(doc, '(document)')
  onlyFields(d, ['format', 'version', 'name', 'sizes', 'state', 'graph', 'torch'], '(document)')
  if (own(d, 'format') !== FORMAT) throw new JsonFormatError('format', `must be '${FORMAT}'`)
  if (own(d, 'version') !== VERSION) throw new JsonFormatError('version', `must be ${VERSION}`)
  const name = asName(own(d, 'name'), 'name')
  const sizesDoc = asObject(own(d, 'sizes'), 'sizes')
  onlyFields(sizesDoc, ['input', 'hidden', 'bias'], 'sizes')
  const bias = own(sizesDoc, 'bias')
  const sizes = {
    input: readSize(own(sizesDoc, 'input'), 'sizes.input'),
    hidden: readSize(own(sizesDoc, 'hidden'), 'sizes.hidden'),
    // Only a bias-free cell records it (see CellSizes.bias).
    ...(bias === undefined || asBoolean(bias, 'sizes.bias') ? {} : { bias: false }),
  }
  const state = asArray(own(d, 'state'), 'state', 'an array of state names').map((s, i) =>
    asName(s, `state[${i}]`),
  )
  const graph = graphFromJson(own(d, 'graph'), 'graph')
  checkCellGraph(graph, state, sizes)
  if (sizes.bias === false) checkBiasFree(graph)
  const torch = own(d, 'torch')
  return {
    name,
    sizes,
    state,
    graph,
    ...(torch === undefined ? {} : { torch: readTorchLayout(torch, 'torch', graph) }),
  }
}

function readSize(v: unknown, path: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new JsonFormatError(path, 'must be a positive integer')
  if ((v as number) > MAX_SIZE) throw new JsonFormatError(path, `must be at most ${MAX_SIZE}, got ${v}`)
  return v as number
}

/** A cell that says it has no biases has no layer with a bias operand (layer inputs: x, W, b, b2). */
function checkBiasFree(graph: Cell['graph']) {
  const biased = graph.nodes.find((n) => n.op === 'layer' && n.inputs.length > 2)
  if (biased) throw new JsonFormatError('sizes.bias', `is false, but layer '${biased.id}' has biases`)
}

/** A cell graph binds its states, then x, then parameters, and returns its states, then output. */
function checkCellGraph(
  graph: Cell['graph'],
  state: readonly string[],
  sizes: { input: number; hidden: number },
) {
  const sig = signature(graph)
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  state.forEach((s, i) => {
    const leaf = byId.get(graph.inputs[i] ?? '')
    if (leaf?.op !== 'state' || leaf.attrs.name !== s)
      throw new JsonFormatError(`graph.inputs[${i}]`, `must be the state leaf '${s}'`)
    if (graph.outputs[i]?.name !== s)
      throw new JsonFormatError(`graph.outputs[${i}]`, `must be the new state '${s}'`)
    if (sig.inputs[i]!.shape[0] !== sizes.hidden)
      throw new JsonFormatError(`graph.inputs[${i}]`, `state '${s}' must have size ${sizes.hidden}`)
  })
  const x = byId.get(graph.inputs[state.length] ?? '')
  if (
    x?.op !== 'input' ||
    sig.inputs[state.length]!.shape[0] !== sizes.input ||
    sig.inputs[state.length]!.layout !== 'batch'
  )
    throw new JsonFormatError(
      `graph.inputs[${state.length}]`,
      `must be the batch input x of size ${sizes.input}`,
    )
  if (graph.outputs.length !== state.length + 1 || graph.outputs.at(-1)!.name !== 'output')
    throw new JsonFormatError('graph.outputs', `must list the ${state.length} new states, then 'output'`)
}
