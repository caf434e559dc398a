import type { Graph } from '@cellgraph/graph'

/**
 * One block of a packed weight: rows [0, rows) and columns [start, end) of a top-level tensor
 * leaf (named by its leaf name) whose rows are `sourceCols` wide.
 */
export interface PackBlock {
  readonly source: string
  readonly rows: number
  readonly sourceCols: number
  readonly start: number
  readonly end: number
}

/**
 * A weight assembled from column blocks of other leaves, stacked by rows: [Σ rows, end − start].
 * The IR has no row-stacking op, so packing is part of the lowered program and runs once per
 * execution before the graph, like any other O(parameters) copy the user pays per step.
 */
export interface Pack {
  /** Id and leaf name of the tensor input of `graph` that receives the packed weight. */
  readonly leaf: string
  readonly blocks: readonly PackBlock[]
}

/** What the passes work on: a verifiable IR graph plus the weight packs that feed some of its leaves. */
export interface Program {
  readonly graph: Graph
  readonly packs: readonly Pack[]
}

/** A pack as text: `pack %leaf = rows(%W[:, 0:3], ...)`. */
export const printPack = (p: Pack): string =>
  `pack %${p.leaf} = rows(${p.blocks.map((b) => `%${b.source}[:, ${b.start}:${b.end}]`).join(', ')})`
