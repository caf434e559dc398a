import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { cellToJson, evaluate, lstm, type Tensor, tensor } from '@cellgraph/graph'
import {
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  modelGraph,
} from '@cellgraph/train'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { expectOneLineError, programIn } from './program.js'

const { at, cellgraph } = programIn('cellgraph-cli-')

const tiny = ['--hidden', '8', '--batch', '4', '--window', '8', '--sample', '40']

describe('cellgraph --help', () => {
  it.each(['train', 'sample', 'eval', 'export', 'gradcheck', 'compile', 'experiment', 'demo'])(
    '%s --help',
    (command) => {
      const r = cellgraph(command, '--help')
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`Usage: cellgraph ${command}`)
    },
  )
})

describe('cellgraph train, sample, eval', () => {
  const checkpoint = at('run.safetensors')

  it('trains, saves a checkpoint, reports held-out bits per character and samples', () => {
    const r = cellgraph('train', ...tiny, '--steps', '6', '--checkpoint', checkpoint)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Trained to step 6 .*loss \d\.\d+ → \d\.\d+ nats\/char\. Saved/)
    expect(r.stdout).toMatch(
      /Held-out bits per character: model \d\.\d+; unigram \d\.\d+, bigram \d\.\d+, 5-gram \d\.\d+/,
    )
    expect(r.stdout).toMatch(/Sample \(temperature 0\.7\):\n.{10,}/s)
    expect(r.stderr).toMatch(/step 6\/6 \[#+\] loss \d\.\d+ .* tok\/s {2}ETA/)
    const { tensors, metadata } = decodeSafetensors(readFileSync(checkpoint))
    expect(Object.keys(tensors)).toContain('rnn.weight_ih_l0')
    expect(JSON.parse(metadata.training!).step).toBe(6)
  })

  it('resumes exactly: 3 steps, then 3 more, equal 6 steps in one go (dropout included)', () => {
    const model = ['--layers', '2', '--dropout', '0.3', '--steps', '6', '--no-eval', '--sample', '0']
    const straight = at('straight.safetensors')
    const split = at('split.safetensors')
    expect(cellgraph('train', ...tiny, ...model, '--checkpoint', straight).status).toBe(0)
    expect(cellgraph('train', ...tiny, ...model, '--until', '3', '--checkpoint', split).status).toBe(0)
    expect(JSON.parse(decodeSafetensors(readFileSync(split)).metadata.training!).step).toBe(3)
    const resumed = cellgraph('train', '--resume', '--no-eval', '--sample', '0', '--checkpoint', split)
    expect(resumed.status).toBe(0)
    expect(resumed.stdout).toContain('resuming at step 3')
    const a = decodeSafetensors(readFileSync(straight)).tensors
    const b = decodeSafetensors(readFileSync(split)).tensors
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort())
    for (const name of Object.keys(a))
      expect(Array.from(b[name]!.data), name).toEqual(Array.from(a[name]!.data))
  })

  it('resumes the checkpoints an earlier build wrote, ending where that build did', () => {
    // packages/train/test/fixtures/cliCheckpoints.mjs wrote them and recorded where they end.
    const fixtures = new URL('../../../packages/train/test/fixtures/', import.meta.url)
    const expected = JSON.parse(readFileSync(new URL('cliCheckpoints.json', fixtures), 'utf8')) as Record<
      string,
      { sha256: string }
    >
    for (const [name, { sha256 }] of Object.entries(expected)) {
      const file = at(`${name}.safetensors`)
      copyFileSync(new URL(`cliCheckpoints/${name}.safetensors`, fixtures), file)
      const r = cellgraph(
        'train',
        '--backend',
        'cpu-js',
        '--resume',
        '--no-eval',
        '--sample',
        '0',
        '--checkpoint',
        file,
      )
      expect(r.status, r.stderr).toBe(0)
      // The CLI adds the data file (none: the built-in corpus) to what the Trainer checkpoints.
      const c = decodeCheckpoint(readFileSync(file))
      const { data, ...training } = c.training
      expect(data).toBeNull()
      const bytes = encodeCheckpoint({ ...c, training })
      expect(createHash('sha256').update(bytes).digest('hex'), name).toBe(sha256)
    }
  })

  it('samples reproducibly from a checkpoint, after a prompt', () => {
    const once = cellgraph(
      'sample',
      '--checkpoint',
      checkpoint,
      '--length',
      '30',
      '--seed',
      '5',
      '--prompt',
      'The ',
    )
    const again = cellgraph(
      'sample',
      '--checkpoint',
      checkpoint,
      '--length',
      '30',
      '--seed',
      '5',
      '--prompt',
      'The ',
    )
    expect(once.status).toBe(0)
    expect(once.stdout).toBe(again.stdout)
    expect(once.stdout.startsWith('The ')).toBe(true)
    expect([...once.stdout.trimEnd()].length).toBeGreaterThanOrEqual(30)
  })

  it('evaluates on the held-out split next to the n-gram baselines', () => {
    const r = cellgraph('eval', '--checkpoint', checkpoint)
    expect(r.status).toBe(0)
    for (const row of ['lstm (step 6)', 'unigram', 'bigram', '5-gram (Witten-Bell)'])
      expect(r.stdout).toMatch(
        new RegExp(`${row.replace(/[()]/g, '\\$&')} +\\d+\\.\\d{4} +\\d+\\.\\d{4} +\\d+\\.\\d{3}`),
      )
  })

  it("exports the checkpoint as ONNX, which ONNX Runtime runs with the float64 interpreter's logits", async () => {
    const r = cellgraph('export', '--checkpoint', checkpoint, '--onnx', 'model.onnx')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^wrote model\.onnx: lstm \(1 layer\(s\)\), [\d,]+ bytes/)
    const c = decodeCheckpoint(readFileSync(checkpoint))
    const graph = modelGraph(c.model)
    const V = c.model.vocabularySize
    const H = c.model.cells[0]!.sizes.hidden
    const x = tensor(
      [3, 2, V],
      Array.from({ length: 6 * V }, (_, i) => (i % V === (i * 7) % 5 ? 1 : 0)),
    )
    const states = { 'l0.h0': tensor([2, H]), 'l0.c0': tensor([2, H]) }
    const ours = evaluate(graph, { ...c.params, ...states, x }).logits!
    const session = await ort.InferenceSession.create(readFileSync(at('model.onnx')))
    const f32 = (t: Tensor) => new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims])
    const out = await session.run({ x: f32(x), 'l0.h0': f32(states['l0.h0']), 'l0.c0': f32(states['l0.c0']) })
    const theirs = out.logits!.data as Float32Array
    expect(Math.max(...theirs.map((v, i) => Math.abs(v - ours.data[i]!)))).toBeLessThan(1e-4)
    expectOneLineError(cellgraph('export', '--checkpoint', checkpoint), /--onnx FILE is required/, 'export')
  })

  it('trains on a UTF-8 data file and a cell JSON file', () => {
    writeFileSync(at('text.txt'), 'ünïcode and plain text, again and again. '.repeat(40))
    writeFileSync(at('cell.json'), cellToJson(lstm({ input: 5, hidden: 6 })))
    const r = cellgraph(
      'train',
      '--data',
      'text.txt',
      '--cell',
      'cell.json',
      '--steps',
      '3',
      '--batch',
      '2',
      '--window',
      '8',
      '--checkpoint',
      'custom.safetensors',
      '--sample',
      '20',
    )
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Training a 1-layer lstm (hidden 6, embedding 5) on text.txt')
  })
})

describe('cell author tools', () => {
  it('gradcheck prints the worst relative error', () => {
    writeFileSync(at('small.json'), cellToJson(lstm({ input: 2, hidden: 3 })))
    const r = cellgraph('gradcheck', 'small.json')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/f\.W +worst relative error \d\.\d+e-\d+/)
    const worst = Number(/Worst relative error: (\S+)/.exec(r.stdout)![1])
    expect(worst).toBeLessThan(1e-5)
  })

  it('compile --print shows the graph after each pass and the generated code', () => {
    writeFileSync(at('small.json'), cellToJson(lstm({ input: 2, hidden: 3 })))
    const r = cellgraph('compile', 'small.json', '--print')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/── \S+/)
    expect(r.stdout).toContain('scan')
    expect(r.stdout).toMatch(/Compiled 'lstm' \(forward\): \d+ stages/)
  })
})

describe('cellgraph experiment long-range', () => {
  it('writes a table of every run and a plot, and rewrites them from results.json', () => {
    const args = ['--cells', 'rnn,lstm', '--lags', '3,4', '--seeds', '2', '--steps', '2', '--out', 'exp']
    const r = cellgraph('experiment', 'long-range', ...args)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/rnn +hidden 34, 1327 parameters/)
    const table = readFileSync(at('exp/results.md'), 'utf8')
    expect(table).toMatch(
      /\| lstm \| 16 \| 1297 \| \d\.\d{4}, \d\.\d{4} \(\d\/2 solved\) \| \d\.\d{4}, \d\.\d{4} \(\d\/2 solved\) \|/,
    )
    const rows = JSON.parse(readFileSync(at('exp/results.json'), 'utf8')).rows
    expect(rows).toHaveLength(8)
    expect(readFileSync(at('exp/plot.svg'), 'utf8')).toContain('<polyline')
    writeFileSync(at('exp/results.md'), '')
    expect(cellgraph('experiment', 'long-range', '--out', 'exp', '--replot').status).toBe(0)
    expect(readFileSync(at('exp/results.md'), 'utf8')).toBe(table)
  })
})

describe('bad input: one line, non-zero exit, the checkpoint survives', () => {
  const checkpoint = at('keep.safetensors')
  const trainKeep = (...args: string[]) =>
    cellgraph('train', ...tiny, '--steps', '2', '--checkpoint', checkpoint, ...args)
  let original: Buffer

  it('makes a checkpoint to protect', () => {
    expect(trainKeep().status).toBe(0)
    original = readFileSync(checkpoint)
  })

  const intact = () => expect(Buffer.compare(readFileSync(checkpoint), original)).toBe(0)

  it('a missing data file', () => {
    expectOneLineError(
      trainKeep('--data', 'nowhere.txt'),
      /cannot read data file 'nowhere\.txt': ENOENT/,
      'train',
    )
    intact()
  })

  it('a binary data file', () => {
    writeFileSync(at('blob.bin'), Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]))
    expectOneLineError(trainKeep('--data', 'blob.bin'), /looks binary/, 'train')
    intact()
  })

  it('an empty corpus', () => {
    writeFileSync(at('empty.txt'), '')
    expectOneLineError(trainKeep('--data', 'empty.txt'), /data file 'empty\.txt' is empty/, 'train')
    intact()
  })

  it('an invalid cell JSON', () => {
    writeFileSync(at('bad.json'), '{"format":"cellgraph-cell","version":1,"name":"x","sizes":{"input":2}}')
    expectOneLineError(
      cellgraph('train', '--cell', 'bad.json', '--checkpoint', checkpoint),
      /cell file 'bad\.json' is not a valid cell: .*sizes\.hidden/,
      'train',
    )
    expectOneLineError(cellgraph('gradcheck', 'bad.json'), /sizes\.hidden/, 'gradcheck')
    writeFileSync(at('notjson.json'), 'this is not json')
    expectOneLineError(cellgraph('compile', 'notjson.json'), /not valid JSON/, 'compile')
    intact()
  })

  it('a checkpoint of another shape', () => {
    expectOneLineError(
      trainKeep('--resume', '--hidden', '16'),
      /the checkpoint has hidden 8, but --hidden 16 was given/,
      'train',
    )
    // A file whose tensors do not match the model its metadata describes.
    const { tensors, metadata } = decodeSafetensors(original)
    const wrong = {
      ...tensors,
      'decoder.bias': { dtype: 'F32' as const, shape: [3], data: new Float32Array(3) },
    }
    writeFileSync(at('wrong.safetensors'), encodeSafetensors(wrong, metadata))
    expectOneLineError(
      cellgraph('sample', '--checkpoint', 'wrong.safetensors'),
      /tensor 'decoder\.bias' has shape \[3\], the model expects \[\d+\]/,
      'sample',
    )
    copyFileSync(at('wrong.safetensors'), at('wrong2.safetensors'))
    expectOneLineError(cellgraph('eval', '--checkpoint', 'wrong2.safetensors'), /decoder\.bias/, 'eval')
    intact()
  })

  it('a file that is not a checkpoint', () => {
    writeFileSync(at('text.safetensors'), 'hello there, not tensors')
    expectOneLineError(
      cellgraph('sample', '--checkpoint', 'text.safetensors'),
      /checkpoint 'text\.safetensors'/,
      'sample',
    )
  })

  it('a loss that becomes NaN or infinite', () => {
    const diverging = ['--optimizer', 'sgd', '--lr', '1e38', '--clip', '0', '--momentum', '0', '--steps', '6']
    const r = cellgraph('train', ...tiny, ...diverging, '--checkpoint', checkpoint)
    expectOneLineError(r, /step \d+.*(NaN|Infinity)/, 'train')
    intact()
  })

  it('bad option values and unknown options', () => {
    expectOneLineError(cellgraph('train', '--hidden', 'many'), /--hidden must be an integer/, 'train')
    expectOneLineError(
      cellgraph('train', '--backend', 'tpu'),
      /--backend must be one of cpu, cpu-js, webgpu, reference/,
      'train',
    )
    expectOneLineError(cellgraph('train', '--frobnicate'), /Unknown option '--frobnicate'/, 'train')
    expectOneLineError(cellgraph('train', '--cell', 'nosuchcell'), /neither a built-in cell/, 'train')
    intact()
  })
})
