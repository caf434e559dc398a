import { printable } from '@cellgraph/graph'
import { loadCheckpoint, Rng, StatefulModel, streamSample } from '@cellgraph/train/node'
import { choice, integer, number, parse } from '../args.js'
import { backendNames, openBackend } from '../backend.js'
import { limits } from '../limits.js'

export const sampleHelp = `Usage: cellgraph sample [options]

Generates text from a trained checkpoint, one character at a time, carrying the recurrent state.

Options:
  --checkpoint PATH     the model (default runs/char-lm.safetensors)
  --length N            characters to generate (default 500)
  --temperature X       softmax temperature; 0 always takes the most likely character (default 0.8)
  --seed N              seed for the draws (default 1)
  --prompt TEXT         text to feed first (default a newline)
  --backend NAME        ${backendNames.join(', ')} (default cpu)
  -h, --help            show this help
`

const options = {
  checkpoint: { type: 'string', default: 'runs/char-lm.safetensors' },
  length: { type: 'string', default: '500' },
  temperature: { type: 'string', default: '0.8' },
  seed: { type: 'string', default: '1' },
  prompt: { type: 'string', default: '' },
  backend: { type: 'string', default: 'cpu' },
} as const

export async function sample(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v } = parse(argv, options)
  const length = integer('length', v.length, 0, limits.sample)
  const temperature = number('temperature', v.temperature, 0, 100)
  const seed = integer('seed', v.seed, 0)
  const backendName = choice('backend', v.backend, backendNames)
  const c = loadCheckpoint(v.checkpoint)
  const backend = await openBackend(backendName)
  const model = await StatefulModel.create(backend, c.model, c.params)
  // Streamed as drawn: a long sample is neither held in memory nor withheld until the end.
  process.stdout.write(printable(v.prompt, true))
  await streamSample(model, c.vocabulary, new Rng(seed), { length, temperature, prompt: v.prompt }, (text) =>
    process.stdout.write(printable(text, true)),
  )
  write('')
  model.dispose()
  backend.dispose()
  return 0
}
