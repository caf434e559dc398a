import { elementCount } from '@cellgraph/graph'
import { type ModelConfig, modelGraph, modelParams, type TrainConfig } from '@cellgraph/train'
import { CliError } from './args.js'

/**
 * Upper bounds on sizes given on the command line, so that a slip of the keyboard (`--hidden 1e9`)
 * fails at once naming the option, instead of exhausting memory minutes later.
 */
export const limits = {
  hidden: 65_536,
  layers: 256,
  batch: 65_536,
  window: 65_536,
  steps: 2 ** 31,
  /** Characters of generated text. */
  sample: 100_000_000,
  /** Values in the model's parameters, and in one activation of a window. */
  values: 2 ** 28,
} as const

/** Refuses a model or training window too large to allocate, naming the options that make it so. */
export function checkModelSize(model: ModelConfig, config: Pick<TrainConfig, 'batch' | 'window'>): void {
  const params = modelParams(modelGraph(model)).reduce((n, p) => n + elementCount(p.shape), 0)
  if (params > limits.values)
    throw new CliError(
      `the model would have ${params.toLocaleString('en')} parameters (--hidden, --layers, --embedding); the limit is ${limits.values.toLocaleString('en')}`,
    )
  const width = Math.max(model.vocabularySize, model.embedding, ...model.cells.map((c) => 4 * c.sizes.hidden))
  const values = config.batch * config.window * width
  if (values > limits.values)
    throw new CliError(
      `--batch ${config.batch} × --window ${config.window} × width ${width} = ${values.toLocaleString('en')} values in one activation; the limit is ${limits.values.toLocaleString('en')}`,
    )
}

/**
 * Why a finished run counts as diverged, or undefined: a final loss above twice that of guessing
 * uniformly among the characters means the model got worse than knowing nothing.
 */
export function divergence(finalLoss: number, vocabularySize: number): string | undefined {
  const uniform = Math.log(Math.max(2, vocabularySize))
  if (!(finalLoss > 2 * uniform)) return undefined
  return `training diverged: the final loss ${finalLoss.toPrecision(4)} nats/char is worse than twice uniform guessing (${uniform.toFixed(3)}); the checkpoint was saved; try a smaller --lr or --clip`
}
