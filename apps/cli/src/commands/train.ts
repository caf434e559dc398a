import { existsSync } from 'node:fs'
import { builtinCells } from '@cellgraph/graph'
import {
  builtinModel,
  type Checkpoint,
  cellModel,
  checkCheckpointPath,
  evaluateStream,
  loadCheckpoint,
  type ModelConfig,
  ngramBaselines,
  optimizerKinds,
  Rng,
  removeStaleTemps,
  type Schedule,
  StatefulModel,
  sampleText,
  saveCheckpoint,
  scheduleKinds,
  type TrainConfig,
  Trainer,
} from '@cellgraph/train/node'
import { CliError, choice, integer, number, type OptionValues, parse } from '../args.js'
import { backendNames, openBackend } from '../backend.js'
import { isBuiltinCell, loadCorpus, readCellFile } from '../inputs.js'
import { checkModelSize, divergence, limits } from '../limits.js'
import { duration, Progress } from '../progress.js'

export const trainHelp = `Usage: cellgraph train [options]

Trains a character-level language model and saves it as a safetensors checkpoint. With no options:
an LSTM on the built-in corpus (text generated from the project's own grammar), on the compiled
CPU backend, for a few minutes; it shows the loss falling, then held-out bits per character next
to n-gram baselines, and a generated sample.

Model:
  --cell NAME|FILE      ${Object.keys(builtinCells).join(', ')}, or a cell JSON file (default lstm)
  --hidden N            hidden units per layer (default 256)
  --layers N            stacked layers (default 1)
  --embedding N         learned embedding size in front of the cells; 0 feeds one-hot rows (default 0)
  --dropout P           dropout between stacked layers (default 0)
Training:
  --data FILE           a UTF-8 text file; its last 10% is held out (default: the built-in corpus)
  --backend NAME        ${backendNames.join(', ')} (default cpu)
  --optimizer NAME      ${optimizerKinds.join(', ')} (default adam)
  --lr X                learning rate (default 0.01; 1 for sgd)
  --momentum X          SGD momentum (default 0.9)
  --weight-decay X      weight decay (default 0; adamw 0.01)
  --schedule NAME       ${scheduleKinds.filter((k) => k !== 'step').join(', ')} (default cosine)
  --warmup N            warm-up steps (default 20)
  --clip X              clip gradients to this global norm; 0 turns it off (default 1)
  --batch N             parallel lanes per step (default 16)
  --window N            characters per window: truncated-BPTT length (default 32)
  --steps N             optimizer steps (default 3000)
  --seed N              seed for initialisation and dropout (default 1)
Checkpoints:
  --checkpoint PATH     where to save (default runs/char-lm.safetensors)
  --save-every N        save every N steps (default 100)
  --resume              continue the run saved at --checkpoint exactly where it stopped
                        (with the --data it was trained on: paths in a checkpoint are not opened)
  --until N             stop (and save) after step N, e.g. to continue later with --resume
Output:
  --sample N            characters to generate at the end (default 400)
  --no-eval             skip the held-out evaluation at the end
  -h, --help            show this help
`

const options = {
  cell: { type: 'string' },
  hidden: { type: 'string' },
  layers: { type: 'string' },
  embedding: { type: 'string' },
  dropout: { type: 'string' },
  data: { type: 'string' },
  backend: { type: 'string', default: 'cpu' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  'weight-decay': { type: 'string' },
  schedule: { type: 'string' },
  warmup: { type: 'string' },
  clip: { type: 'string' },
  batch: { type: 'string' },
  window: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  checkpoint: { type: 'string', default: 'runs/char-lm.safetensors' },
  'save-every': { type: 'string', default: '100' },
  resume: { type: 'boolean', default: false },
  until: { type: 'string' },
  sample: { type: 'string', default: '400' },
  'no-eval': { type: 'boolean', default: false },
} as const

type Values = OptionValues<typeof options>

/** The training settings from the options (a resumed run starts from the checkpoint's). */
function trainConfig(v: Values, saved?: TrainConfig): TrainConfig {
  const kind = v.optimizer
    ? choice('optimizer', v.optimizer, optimizerKinds)
    : (saved?.optimizer.kind ?? 'adam')
  const weightDecay = v['weight-decay'] === undefined ? undefined : number('weight-decay', v['weight-decay'])
  const optimizer =
    saved && !v.optimizer && weightDecay === undefined && v.momentum === undefined
      ? saved.optimizer
      : kind === 'sgd'
        ? {
            kind,
            momentum: number('momentum', v.momentum ?? '0.9', 0, 1),
            ...(weightDecay === undefined ? {} : { weightDecay }),
          }
        : { kind, ...(weightDecay === undefined ? {} : { weightDecay }) }
  const scheduleKind = v.schedule
    ? choice('schedule', v.schedule, ['constant', 'cosine', 'linear'] as const)
    : (saved?.schedule.kind ?? 'cosine')
  const warmup = integer('warmup', v.warmup ?? '20', 0)
  const schedule: Schedule =
    saved && !v.schedule && v.warmup === undefined
      ? saved.schedule
      : scheduleKind === 'constant'
        ? { kind: 'constant' }
        : scheduleKind === 'linear'
          ? { kind: 'linear', warmup }
          : { kind: 'cosine', warmup, minFactor: 0.1 }
  return {
    batch: v.batch ? integer('batch', v.batch, 1, limits.batch) : (saved?.batch ?? 16),
    window: v.window ? integer('window', v.window, 1, limits.window) : (saved?.window ?? 32),
    steps: v.steps ? integer('steps', v.steps, 1, limits.steps) : (saved?.steps ?? 3000),
    lr: v.lr ? number('lr', v.lr, 0) : (saved?.lr ?? (kind === 'sgd' ? 1 : 0.01)),
    schedule,
    optimizer,
    clip: v.clip ? number('clip', v.clip, 0) : (saved?.clip ?? 1),
    seed: v.seed ? integer('seed', v.seed, 0) : (saved?.seed ?? 1),
  }
}

/** The model from the options: a built-in cell stacked at the given sizes, or a cell JSON file. */
function modelFromOptions(v: Values, vocabularySize: number): ModelConfig {
  const cell = v.cell ?? 'lstm'
  if (isBuiltinCell(cell))
    return builtinModel(cell, {
      vocabularySize,
      hidden: integer('hidden', v.hidden ?? '256', 1, limits.hidden),
      layers: integer('layers', v.layers ?? '1', 1, limits.layers),
      embedding: integer('embedding', v.embedding ?? '0', 0, limits.hidden),
      dropout: number('dropout', v.dropout ?? '0', 0, 0.95),
    })
  if (!existsSync(cell) && !cell.endsWith('.json'))
    throw new CliError(
      `--cell '${cell}' is neither a built-in cell (${Object.keys(builtinCells).join(', ')}) nor a file`,
    )
  for (const fixed of ['hidden', 'layers', 'embedding', 'dropout'] as const)
    if (v[fixed] !== undefined)
      throw new CliError(
        `--${fixed} cannot be combined with a cell JSON file: the file fixes the cell's sizes`,
      )
  return cellModel(readCellFile(cell).text, vocabularySize)
}

/** Refuses options that contradict the checkpoint being resumed, naming both values. */
function checkResumeShape(v: Values, model: ModelConfig): void {
  const first = model.cells[0]!
  const saved: Record<string, string> = {
    cell: first.name,
    hidden: String(first.sizes.hidden),
    layers: String(model.cells.length),
    embedding: String(model.embedding),
    dropout: String(model.dropout),
  }
  for (const [name, value] of Object.entries(saved)) {
    const given = v[name as keyof Values]
    if (given !== undefined && String(given) !== value && !(name === 'cell' && !isBuiltinCell(String(given))))
      throw new CliError(
        `the checkpoint has ${name} ${value}, but --${name} ${given} was given; it cannot change on --resume`,
      )
  }
}

export async function train(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v } = parse(argv, options)
  const checkpointPath = v.checkpoint
  const saveEvery = integer('save-every', v['save-every'])
  const sampleLength = integer('sample', v.sample, 0, limits.sample)
  let resume: Checkpoint | undefined
  if (v.resume) {
    if (!existsSync(checkpointPath))
      throw new CliError(`--resume: there is no checkpoint at '${checkpointPath}'`)
    resume = loadCheckpoint(checkpointPath)
    checkResumeShape(v, resume.model)
  }
  const savedTraining = resume?.training as { config?: TrainConfig; data?: string | null } | undefined
  // Paths come only from the command line: a checkpoint names its data file, but is never obeyed.
  if (resume && v.data === undefined && typeof savedTraining?.data === 'string')
    throw new CliError(
      `the checkpoint was trained on the file '${savedTraining.data}'; pass --data FILE to resume (files named inside a checkpoint are not opened)`,
    )
  const dataPath = v.data
  const corpus = loadCorpus(dataPath)
  if (resume && resume.vocabulary.chars.join('') !== corpus.vocabulary.chars.join(''))
    throw new CliError(
      `the data's vocabulary (${corpus.vocabulary.size} characters) differs from the checkpoint's (${resume.vocabulary.size})`,
    )
  const model = resume?.model ?? modelFromOptions(v, corpus.vocabulary.size)
  const config = trainConfig(v, savedTraining?.config)
  checkModelSize(model, config)
  const backend = await openBackend(choice('backend', v.backend, backendNames))

  const first = model.cells[0]!
  write(
    `Training a ${model.cells.length}-layer ${first.name} (hidden ${first.sizes.hidden}${model.embedding ? `, embedding ${model.embedding}` : ''}) ` +
      `on ${corpus.name}: ${corpus.train.length.toLocaleString('en')} training characters, vocabulary ${corpus.vocabulary.size}.`,
  )
  write(
    `Backend ${backend.name}; ${config.optimizer.kind} lr ${config.lr}, ${config.schedule.kind} schedule, clip ${config.clip || 'off'}; ` +
      `batch ${config.batch} × window ${config.window}, ${config.steps} steps${resume ? `, resuming at step ${(resume.training as { step: number }).step}` : ''}.`,
  )
  // The checkpoint's place is checked before training, and temp files of killed saves removed.
  try {
    checkCheckpointPath(checkpointPath)
  } catch (e) {
    throw new CliError((e as Error).message)
  }
  const stale = removeStaleTemps(checkpointPath)
  if (stale.length > 0)
    write(`Removed ${stale.length} temporary file(s) left by interrupted saves: ${stale.join(', ')}.`)
  const trainer = await Trainer.create(backend, model, corpus.vocabulary, corpus.train, config, resume)
  if (trainer.step >= config.steps)
    throw new CliError(
      `the checkpoint is already at step ${trainer.step} of ${config.steps}; pass a larger --steps to continue`,
    )
  if (!resume && existsSync(checkpointPath))
    write(
      `Note: '${checkpointPath}' exists and will be replaced when this run saves (use --resume to continue it).`,
    )
  const save = async () => {
    const c = await trainer.checkpoint()
    saveCheckpoint(checkpointPath, { ...c, training: { ...c.training, data: dataPath ?? null } })
  }
  const started = Date.now()
  const until = v.until ? Math.min(integer('until', v.until, 1, limits.steps), config.steps) : config.steps
  if (until <= trainer.step)
    throw new CliError(
      `--until ${until} is not after the checkpoint's step ${trainer.step}; nothing to train`,
    )
  const progress = new Progress(config.steps, trainer.step, process.stderr)
  const firstLoss: number[] = []
  let lastLoss = Number.NaN
  while (trainer.step < until) {
    const r = await trainer.trainStep()
    if (firstLoss.length === 0) firstLoss.push(r.loss)
    lastLoss = r.loss
    progress.update(r.step, r.loss, r.tokens, r.step === until)
    if (r.step % saveEvery === 0 || r.step === until) await save()
  }
  const diverged = divergence(lastLoss, corpus.vocabulary.size)
  write(
    `Trained to step ${trainer.step} in ${duration((Date.now() - started) / 1000)}: loss ${firstLoss[0]!.toFixed(3)} → ${lastLoss.toFixed(3)} nats/char. Saved ${checkpointPath}.`,
  )
  const params = await trainer.parameters()
  trainer.dispose()
  if (!v['no-eval']) {
    const result = await evaluateStream(backend, model, params, corpus.heldOut)
    const base = ngramBaselines(corpus.train, corpus.heldOut, corpus.vocabulary.size)
    write(
      `Held-out bits per character: model ${result.bitsPerChar.toFixed(3)}; unigram ${base.unigram.toFixed(3)}, ` +
        `bigram ${base.bigram.toFixed(3)}, 5-gram ${base.fivegram.toFixed(3)}.`,
    )
  }
  if (sampleLength > 0) {
    const stateful = await StatefulModel.create(backend, model, params)
    const text = await sampleText(stateful, corpus.vocabulary, new Rng(config.seed), {
      length: sampleLength,
      temperature: 0.7,
    })
    stateful.dispose()
    write(`Sample (temperature 0.7):\n${text}\n`)
  }
  backend.dispose()
  if (diverged) {
    process.stderr.write(`cellgraph train: ${diverged}\n`)
    return 1
  }
  return 0
}
