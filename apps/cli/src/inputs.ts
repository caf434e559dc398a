import {
  builtinCells,
  type Cell,
  cellFromJson,
  documentLimits,
  type Graph,
  type ValueType,
} from '@cellgraph/graph'
import { builtinCorpus, type Corpus, fileCorpus, readRegularFile } from '@cellgraph/train/node'
import { CliError } from './args.js'

/** The text to train or evaluate on: a UTF-8 file, or the built-in corpus. */
export function loadCorpus(dataPath: string | undefined): Corpus {
  try {
    return dataPath ? fileCorpus(dataPath) : builtinCorpus()
  } catch (e) {
    throw new CliError((e as Error).message)
  }
}

/** The text of a cell JSON file, checked to be a cell; errors name the file and the field. */
export function readCellFile(path: string): { text: string; cell: Cell } {
  let text: string
  try {
    text = new TextDecoder().decode(readRegularFile(path, 'cell file', documentLimits.textLength))
  } catch (e) {
    throw new CliError((e as Error).message)
  }
  try {
    return { text, cell: cellFromJson(text) }
  } catch (e) {
    throw new CliError(`cell file '${path}' is not a valid cell: ${(e as Error).message}`)
  }
}

/** Whether a --cell value names a built-in cell (otherwise it is a path to a cell JSON file). */
export const isBuiltinCell = (name: string): boolean => Object.hasOwn(builtinCells, name)

/** Run-time dims of every leaf of a graph at the given sequence length and batch size, by name. */
export function leafDims(graph: Graph, steps: number, batch: number): Record<string, number[]> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]))
  return Object.fromEntries(
    graph.inputs.map((id) => {
      const a = byId.get(id)!.attrs as { name: string; shape?: number[]; type?: ValueType }
      if (a.shape) return [a.name, a.shape]
      const t = a.type!
      const dims =
        t.layout === 'seq'
          ? [steps, batch, ...t.shape]
          : t.layout === 'batch'
            ? [batch, ...t.shape]
            : [...t.shape]
      return [a.name, dims]
    }),
  )
}
