import { type Cell, outputSize, printGraph, type Tensor } from '@cellgraph/graph'
import fc from 'fast-check'
import { type LossHead, type Model, sequenceModel } from '../model.js'
import { buildCell } from './buildCell.js'
import { VALUE_LIMIT } from './range.js'
import { type CellRecipe, cellRecipeArb, type RecipeOptions } from './recipe.js'
import { formatInputs, graphInputs, type InputDraw, inputDrawArb } from './values.js'

/** One random test case: a random cell in a sequence model with a scalar loss, and its inputs. */
export interface CellCase {
  readonly recipe: CellRecipe
  /** The first layer's cell (the one the recipe describes at the case's input size). */
  readonly cell: Cell
  /** One cell per layer: a second layer is the same recipe over the first layer's outputs. */
  readonly cells: readonly Cell[]
  readonly model: Model
  readonly batch: number
  readonly steps: number
  readonly draw: InputDraw
  /** Values for every leaf of `model.graph`, in binding order. */
  readonly inputs: readonly Tensor[]
  /** The case as a printed graph with its inputs: how fast-check reports a (shrunk) failure. */
  [fc.toStringMethod](): string
}

export interface CellCaseOptions extends RecipeOptions {
  /** Largest batch size; default 3. */
  readonly maxBatch?: number
  /** Longest sequence; default 5. */
  readonly maxLength?: number
}

/** The shape of a case around its cell. */
export interface CaseShape {
  readonly batch: number
  readonly steps: number
  readonly head: LossHead
  readonly reverse: boolean
  /** Layers of the stack, each the same recipe; default 1. */
  readonly layers?: number
}

/** Assembles a case from its parts (exported so a reported case can be rebuilt by hand). */
export function makeCellCase(recipe: CellRecipe, shape: CaseShape, draw: InputDraw): CellCase {
  const cell = buildCell(recipe)
  const cells = [cell]
  for (let l = 1; l < (shape.layers ?? 1); l++)
    cells.push(buildCell({ ...recipe, input: outputSize(cells[l - 1]!) }, VALUE_LIMIT))
  const model = sequenceModel(cells, { head: shape.head, reverse: shape.reverse })
  const { batch, steps } = shape
  const inputs = graphInputs(
    model.graph,
    { batch, steps, saturation: draw.saturation, roles: model.roles },
    draw.seed,
  )
  return {
    recipe,
    cell,
    cells,
    model,
    batch,
    steps,
    draw,
    inputs,
    [fc.toStringMethod]: () =>
      [
        `random cell: input ${recipe.input}, hidden ${recipe.hidden}, states ${cell.state.join(', ')}; ` +
          `${cells.length} layer(s), T=${steps}, B=${batch}, ${shape.reverse ? 'reverse' : 'forward'} scans, ` +
          `${shape.head} loss head`,
        printGraph(model.graph, 'model'),
        `inputs (seed ${draw.seed}, saturation ${draw.saturation}):`,
        formatInputs(model.graph, inputs),
        `rebuild: makeCellCase(${JSON.stringify(recipe)}, ${JSON.stringify(shape)}, ${JSON.stringify(draw)})`,
      ].join('\n'),
  }
}

/**
 * Random cases: a random cell (see cellRecipeArb) in one layer, or in two (a stack of the same
 * recipe), batch 1–3, sequence length 1–5, forward or reverse scans, a linear or mixed loss
 * head, and inputs that are saturated in some cases.
 */
export function cellCaseArb(options: CellCaseOptions = {}): fc.Arbitrary<CellCase> {
  return fc
    .record({
      recipe: cellRecipeArb(options),
      batch: fc.integer({ min: 1, max: options.maxBatch ?? 3 }),
      steps: fc.integer({ min: 1, max: options.maxLength ?? 5 }),
      head: fc.constantFrom<LossHead>('linear', 'mixed'),
      reverse: fc.boolean(),
      layers: fc.constantFrom(1, 1, 2),
      draw: inputDrawArb,
    })
    .map(({ recipe, draw, ...shape }) => makeCellCase(recipe, shape, draw))
}
