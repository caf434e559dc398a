import type { Cell } from './dsl/cell.js'
import { JsonFormatError } from './errors.js'
import { graphFromJson } from './json.js'
import { signature } from './verify.js'

const FORMAT = 'cellgraph-cell'
const VERSION = 1

/** A cell as a self-describing JSON document (format, version, name, sizes, state, graph, torch). */
export const cellToJson = (cell: Cell, indent = 2): string =>
  JSON.stringify({ format: FORMAT, version: VERSION, ...cell }, null, indent || undefined)

/** A cell from JSON text or a parsed object; malformed fields are named in the error. */
export function cellFromJson(source: string | unknown): Cell {
  let doc = source
  if (typeof source === 'string') {
    try {
      doc = JSON.parse(source)
    } catch (e) {
      throw new JsonFormatError('(document)', `not valid JSON: ${(e as Error).message}`)
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new JsonFormatError('(document)', 'must be an object')
  const d = doc as Record<string, unknown>
  if (d.format !== FORMAT) throw new JsonFormatError('format', `must be '${FORMAT}'`)
  if (d.version !== VERSION) throw new JsonFormatError('version', `must be ${VERSION}`)
  if (typeof d.name !== 'string' || d.name === '')
    throw new JsonFormatError('name', 'must be a non-empty string')
  const sizes = d.sizes as Record<string, unknown> | undefined
  for (const k of ['input', 'hidden'])
    if (!Number.isInteger(sizes?.[k]) || (sizes?.[k] as number) < 1)
      throw new JsonFormatError(`sizes.${k}`, 'must be a positive integer')
  if (!Array.isArray(d.state) || d.state.some((s) => typeof s !== 'string'))
    throw new JsonFormatError('state', 'must be an array of state names')
  const graph = graphFromJson(d.graph, 'graph')
  checkCellGraph(graph, d.state as string[], sizes as { input: number; hidden: number })
  const cell: Cell = {
    name: d.name,
    sizes: { input: sizes!.input as number, hidden: sizes!.hidden as number },
    state: d.state as string[],
    graph,
    ...(d.torch === undefined ? {} : { torch: d.torch as Cell['torch'] & object }),
  }
  return cell
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
    if (leaf?.op !== 'state' || (leaf.attrs as { name: string }).name !== s)
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
