import { JsonFormatError } from './errors.js'
import type { TorchBlock, TorchLayout, TorchTensor } from './interop.js'
import { type Graph, leafName } from './ir.js'
import { asArray, asInteger, asName, asObject, asString, onlyFields, own } from './schema.js'

/**
 * A cell's `torch` field read from a document: every block names a parameter of the cell's graph,
 * its rows and columns lie inside that parameter, and the blocks of one tensor agree in width and
 * rank, so converting to or from PyTorch can neither read nor write out of bounds.
 */
export function readTorchLayout(doc: unknown, path: string, graph: Graph): TorchLayout {
  const shapes = new Map<string, readonly number[]>()
  for (const n of graph.nodes)
    if (n.op === 'param') shapes.set(leafName(n), (n.attrs as { shape: number[] }).shape)
  return asArray(doc, path, 'an array of { name, blocks }').map((t, i): TorchTensor => {
    const at = `${path}[${i}]`
    const obj = asObject(t, at)
    onlyFields(obj, ['name', 'blocks'], at)
    const name = asName(own(obj, 'name'), `${at}.name`)
    const blocks = asArray(own(obj, 'blocks'), `${at}.blocks`, 'a non-empty array of blocks')
    if (blocks.length === 0) throw new JsonFormatError(`${at}.blocks`, 'must be a non-empty array of blocks')
    let width: number | undefined
    let rank: number | undefined
    const read = blocks.map((b, j): TorchBlock => {
      const bPath = `${at}.blocks[${j}]`
      const block = asObject(b, bPath)
      onlyFields(block, ['param', 'rows', 'cols'], bPath)
      const param = asString(own(block, 'param'), `${bPath}.param`)
      const shape = shapes.get(param)
      if (!shape)
        throw new JsonFormatError(
          `${bPath}.param`,
          `names no parameter of the cell (${[...shapes.keys()].join(', ')})`,
        )
      const rows = readRange(own(block, 'rows'), `${bPath}.rows`, shape[0]!)
      if (own(block, 'cols') !== undefined && shape.length !== 2)
        throw new JsonFormatError(`${bPath}.cols`, `'${param}' is a vector; only matrices have columns`)
      const cols = readRange(own(block, 'cols'), `${bPath}.cols`, shape[1] ?? 1)
      const w = cols ? cols[1] - cols[0] : (shape[1] ?? 1)
      if ((width ?? w) !== w || (rank ?? shape.length) !== shape.length)
        throw new JsonFormatError(bPath, "must have the width and rank of the tensor's first block")
      width = w
      rank = shape.length
      return { param, ...(rows ? { rows } : {}), ...(cols ? { cols } : {}) }
    })
    return { name, blocks: read }
  })
}

/** A half-open range [begin, end) with 0 ≤ begin < end ≤ size, or undefined for the whole axis. */
function readRange(v: unknown, path: string, size: number): [number, number] | undefined {
  if (v === undefined) return undefined
  const r = asArray(v, path, `a range [begin, end] within [0, ${size}]`)
  if (r.length !== 2) throw new JsonFormatError(path, `must be a range [begin, end] within [0, ${size}]`)
  const begin = asInteger(r[0], `${path}[0]`, 0, size - 1)
  const end = asInteger(r[1], `${path}[1]`, begin + 1, size)
  return [begin, end]
}
