import { evaluateStream, loadCheckpoint, ngramBaselines } from '@cellgraph/train/node'
import { CliError, choice, parse } from '../args.js'
import { backendNames, openBackend } from '../backend.js'
import { loadCorpus } from '../inputs.js'

export const evalHelp = `Usage: cellgraph eval [options]

Reports a checkpoint's loss, bits per character and perplexity on the held-out split of its data
(the built-in corpus's held-out text is generated from a different seed than its training text),
next to count-based unigram, bigram and 5-gram baselines (Witten-Bell smoothing).

Options:
  --checkpoint PATH     the model (default runs/char-lm.safetensors)
  --data FILE           the text file the model was trained on (default: the built-in corpus)
  --backend NAME        ${backendNames.join(', ')} (default cpu)
  -h, --help            show this help
`

const options = {
  checkpoint: { type: 'string', default: 'runs/char-lm.safetensors' },
  data: { type: 'string' },
  backend: { type: 'string', default: 'cpu' },
} as const

export async function evaluate(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v } = parse(argv, options)
  const backendName = choice('backend', v.backend, backendNames)
  const c = loadCheckpoint(v.checkpoint)
  const saved = (c.training as { data?: string | null }).data
  // Paths come only from the command line: a checkpoint names its data file, but is never obeyed.
  if (v.data === undefined && typeof saved === 'string')
    throw new CliError(
      `the checkpoint was trained on the file '${saved}'; pass --data FILE to evaluate (files named inside a checkpoint are not opened)`,
    )
  const corpus = loadCorpus(v.data)
  if (corpus.vocabulary.chars.join('') !== c.vocabulary.chars.join(''))
    throw new CliError(
      `the data's vocabulary (${corpus.vocabulary.size} characters) differs from the checkpoint's (${c.vocabulary.size}); evaluate on the data it was trained on`,
    )
  const backend = await openBackend(backendName)
  const r = await evaluateStream(backend, c.model, c.params, corpus.heldOut)
  const base = ngramBaselines(corpus.train, corpus.heldOut, corpus.vocabulary.size)
  const step = (c.training as { step?: number }).step
  write(`Held-out split of ${corpus.name}: ${r.characters.toLocaleString('en')} characters predicted.`)
  write('model                 loss (nats)  bits/char  perplexity')
  const row = (name: string, bits: number) =>
    write(
      `${name.padEnd(22)}${(bits * Math.LN2).toFixed(4).padStart(11)}${bits.toFixed(4).padStart(11)}${(2 ** bits).toFixed(3).padStart(12)}`,
    )
  row(`${c.model.cells[0]!.name} (step ${step ?? '?'})`, r.bitsPerChar)
  row('unigram', base.unigram)
  row('bigram', base.bigram)
  row('5-gram (Witten-Bell)', base.fivegram)
  backend.dispose()
  return 0
}
