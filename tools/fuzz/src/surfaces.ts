import { choice, integer, number, parse } from '@cellgraph/cli/args'
import {
  builtinCells,
  cellFromJson,
  cellToJson,
  graphFromJson,
  sequenceGraph,
  tensor,
} from '@cellgraph/graph'
import {
  builtinModel,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  initParams,
  modelGraph,
  modelParams,
  Rng,
  Vocabulary,
} from '@cellgraph/train'
import fc from 'fast-check'
import { mutateJson, mutation } from './mutate.js'

/** One external input of the program: how to make damaged examples of it, and how it is read. */
export interface Surface<T> {
  readonly name: string
  /** The error classes (by name) a rejection may use. */
  readonly named: readonly string[]
  readonly arbitrary: fc.Arbitrary<T>
  readonly run: (input: T) => unknown
}

const small = { input: 3, hidden: 2 }
const cells = Object.values(builtinCells).map((define) => JSON.parse(cellToJson(define(small))))
const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 })
const documentErrors = ['JsonFormatError', 'GraphError']

export const cellJson: Surface<string> = {
  name: 'cell JSON',
  named: documentErrors,
  arbitrary: fc.tuple(fc.nat(cells.length - 1), mutations).map(([k, m]) => mutateJson(cells[k], m)),
  run: (text) => cellFromJson(text),
}

const graphs = [
  ...cells.map((c) => c.graph),
  JSON.parse(
    JSON.stringify(sequenceGraph([builtinCells.lstm!(small), builtinCells.gru!({ input: 2, hidden: 2 })])),
  ),
]
export const graphJson: Surface<string> = {
  name: 'graph JSON',
  named: documentErrors,
  arbitrary: fc.tuple(fc.nat(graphs.length - 1), mutations).map(([k, m]) => mutateJson(graphs[k], m)),
  run: (text) => graphFromJson(text),
}

const model = builtinModel('lstm', { vocabularySize: 3, hidden: 2, layers: 1 })
const specs = modelParams(modelGraph(model))
const params = Object.fromEntries(
  Object.entries(initParams(model, specs, new Rng(1))).map(([n, d]) => [
    n,
    tensor(specs.find((p) => p.name === n)!.shape, d),
  ]),
)
const checkpoint = encodeCheckpoint({
  model,
  vocabulary: new Vocabulary(['\n', 'a', 'b']),
  params,
  optimizer: { exp_avg: { 'head.b': tensor([3]) } },
  carried: { 'l0.h': tensor([1, 2]) },
  training: {
    config: {
      batch: 1,
      window: 4,
      steps: 10,
      lr: 0.01,
      schedule: { kind: 'cosine', warmup: 2, minFactor: 0.1 },
      optimizer: { kind: 'adam' },
      clip: 1,
      seed: 1,
    },
    step: 3,
    rng: 5,
    optimizerStep: 3,
    data: null,
  },
  dtype: 'F32',
})
const headerLength = Number(new DataView(checkpoint.buffer).getBigUint64(0, true))
const header = JSON.parse(new TextDecoder().decode(checkpoint.subarray(8, 8 + headerLength)))
const data = checkpoint.subarray(8 + headerLength)

/** A safetensors file with the given header text and data, and optionally a lying length. */
function withHeader(text: string, lengthLie?: bigint): Uint8Array {
  const bytes = new TextEncoder().encode(text)
  const out = new Uint8Array(8 + bytes.length + data.length)
  new DataView(out.buffer).setBigUint64(0, lengthLie ?? BigInt(bytes.length), true)
  out.set(bytes, 8)
  out.set(data, 8 + bytes.length)
  return out
}

const byteDamage = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
)

export const safetensors: Surface<Uint8Array> = {
  name: 'safetensors',
  named: ['SafetensorsError'],
  arbitrary: fc.oneof(
    fc
      .tuple(
        mutations,
        fc.oneof(
          { weight: 5, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
        ),
      )
      .map(([m, lie]) => withHeader(mutateJson(header, m), lie)),
    fc.array(byteDamage, { minLength: 1, maxLength: 4 }).map((damage) => {
      let bytes = checkpoint.slice()
      for (const d of damage)
        if (d.kind === 'flip') bytes[d.at % bytes.length] = d.value
        else bytes = bytes.slice(0, d.at % (bytes.length + 1))
      return bytes
    }),
  ),
  run: (bytes) => decodeSafetensors(bytes),
}

// The JSON entries are damaged most often; format and version now and then.
const metadataKeys = [
  'cells',
  'model',
  'vocabulary',
  'training',
  'cells',
  'model',
  'vocabulary',
  'training',
  'format',
  'version',
]
export const checkpointMetadata: Surface<Uint8Array> = {
  name: 'checkpoint metadata',
  named: ['CheckpointError', 'SafetensorsError'],
  arbitrary: fc.tuple(fc.nat(metadataKeys.length - 1), mutations).map(([k, m]) => {
    const key = metadataKeys[k]!
    const edited = structuredClone(header)
    const value = edited.__metadata__[key]
    edited.__metadata__[key] =
      key === 'format' || key === 'version'
        ? mutateJson(value, m).slice(0, 40)
        : mutateJson(JSON.parse(value), m)
    return withHeader(JSON.stringify(edited))
  }),
  run: (bytes) => decodeCheckpoint(bytes),
}

const optionNames = [
  'hidden',
  'layers',
  'batch',
  'window',
  'steps',
  'lr',
  'dropout',
  'tolerance',
  'backend',
  'optimizer',
  'resume',
]
const spec = {
  ...Object.fromEntries(optionNames.map((n) => [n, { type: 'string' as const }])),
  resume: { type: 'boolean' as const },
} as const
const token = fc.oneof(
  fc.constantFrom(
    ...optionNames.map((n) => `--${n}`),
    '--',
    '-h',
    '--no-such',
    '--hidden=',
    '--__proto__',
    '--constructor',
  ),
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-1',
    '0',
    '1e309',
    '1e9',
    '0x10',
    ' 3',
    '3.5',
    '',
    '-0',
    '1e-400',
    'cpu',
    'adam',
    'x\u001b]0;t\u0007',
  ),
  fc.string({ maxLength: 12 }),
)
/** Reads every option as the commands do: integers, numbers in a range, choices. */
function readOptions(argv: readonly string[]) {
  const { values } = parse(argv, spec)
  const v = values as Record<string, string | boolean | undefined>
  const s = (n: string) => v[n] as string | undefined
  if (s('hidden') !== undefined) integer('hidden', s('hidden'), 1, 65_536)
  if (s('layers') !== undefined) integer('layers', s('layers'), 1, 256)
  if (s('batch') !== undefined) integer('batch', s('batch'), 1, 65_536)
  if (s('window') !== undefined) integer('window', s('window'), 1, 65_536)
  if (s('steps') !== undefined) integer('steps', s('steps'), 1)
  if (s('lr') !== undefined) number('lr', s('lr'), 0)
  if (s('dropout') !== undefined) number('dropout', s('dropout'), 0, 0.95)
  if (s('tolerance') !== undefined) number('tolerance', s('tolerance'), 0)
  if (s('backend') !== undefined) choice('backend', s('backend'), ['cpu', 'cpu-js', 'webgpu', 'reference'])
  if (s('optimizer') !== undefined) choice('optimizer', s('optimizer'), ['sgd', 'adam', 'adamw'])
  return values
}

export const cliArguments: Surface<string[]> = {
  name: 'CLI arguments',
  named: ['UsageError'],
  arbitrary: fc.array(token, { maxLength: 8 }),
  run: (argv) => readOptions(argv),
}

export const surfaces: readonly Surface<never>[] = [
  cellJson,
  graphJson,
  safetensors,
  checkpointMetadata,
  cliArguments,
] as never
