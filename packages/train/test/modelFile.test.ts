import { gru, lstm } from '@cellgraph/graph'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  encodeSafetensors,
  loadModel,
  type RecurrentModel,
  recurrentModel,
  type StoredTensor,
} from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, damaged freely by each case
type Json = any
type File = { tensors: Record<string, StoredTensor>; metadata: Record<string, string> }

/** Two saved models: a fitted token model (training state included) and a bidirectional classifier. */
const files: File[] = []
beforeAll(async () => {
  const tokens = await recurrentModel({
    cell: gru,
    tokens: 4,
    embedding: 2,
    hidden: 3,
    layers: 2,
    dropout: 0.1,
    backend: 'cpu-js',
  })
  await tokens.fit([{ x: [0, 1, 2, 3, 0] }, { x: [1, 2, 3] }], { steps: 1, batchSize: 2 })
  const classes = await recurrentModel({
    cell: lstm,
    inputSize: 2,
    hidden: 2,
    task: 'classification',
    outputs: 3,
    direction: 'bidirectional',
    backend: 'cpu-js',
  })
  for (const m of [tokens, classes]) {
    const { tensors, metadata } = decodeSafetensors(await m.save())
    files.push({ tensors: { ...tensors }, metadata: { ...metadata } })
    m.dispose()
  }
})

const encode = (f: File) => encodeSafetensors(f.tensors, f.metadata)

/** The model a file makes, or the error it is refused with. */
async function load(bytes: Uint8Array): Promise<{ model?: RecurrentModel; error?: unknown }> {
  try {
    return { model: await loadModel(bytes, { backend: 'cpu-js' }) }
  } catch (error) {
    return { error }
  }
}

/** A refusal names what is wrong, on one line: a metadata field, a tensor or a parameter name. */
function expectNamedRefusal(error: unknown): void {
  expect(error).toBeInstanceOf(Error)
  const { name, message } = error as Error
  expect(['ModelFileError', 'SafetensorsError'], message).toContain(name)
  expect(message).not.toContain('\n')
  expect(message).toMatch(
    name === 'SafetensorsError'
      ? /header|tensor '|data bytes/
      : /^metadata [\w.[\]"]+: |tensor '|'[^']+'|not a cellgraph model/,
  )
}

/** A loaded model is the one the file describes: its spec as in the metadata, its tensors as stored. */
async function expectModelOf(model: RecurrentModel, file: File): Promise<void> {
  const again = decodeSafetensors(await model.save())
  const saved = JSON.parse(file.metadata.model!)
  expect(JSON.parse(again.metadata.model!)).toEqual({ direction: 'forward', ...saved })
  // `sizes.bias: true` is the default, which a cell document leaves out.
  const cells = JSON.parse(file.metadata.cells!) as Json[]
  for (const c of cells) if (c.sizes.bias === true) delete c.sizes.bias
  expect(JSON.parse(again.metadata.cells!)).toEqual(cells)
  for (const [name, t] of Object.entries(file.tensors)) {
    expect(again.tensors[name]?.shape, name).toEqual(t.shape)
    expect(Array.from(again.tensors[name]!.data), name).toEqual(Array.from(t.data))
  }
}

const oddValue = fc.oneof(
  fc.integer({ min: -3, max: 8 }),
  fc.constantFrom(0.5, 1.5, -0.1, 0.95, 1, 2 ** 31, 1e12, 65_536, 65_537, Number.MAX_SAFE_INTEGER),
  fc.constantFrom('regression', 'classification', 'next-token', 'each', 'last', 'reverse', 'bidirectional'),
  fc.constantFrom('', 'bogus', 'x\u001b[2J', true, false, null, [], {}, [3], { a: 1 }),
)
const modelFields = [
  'inputWidth',
  'tokens',
  'embedding',
  'dropout',
  'direction',
  'task',
  'outputs',
  'at',
  '__proto__',
  'constructor',
  'hidden',
]

/** One damage to a saved file: a metadata field, the cells, the training state or a tensor. */
const damage = fc.oneof(
  fc.record({ kind: fc.constant('model field'), field: fc.constantFrom(...modelFields), value: oddValue }),
  fc.record({ kind: fc.constant('model missing'), field: fc.constantFrom(...modelFields.slice(0, 8)) }),
  fc.record({ kind: fc.constant('model replaced'), value: oddValue }),
  fc.record({
    kind: fc.constant('cells'),
    how: fc.constantFrom('drop last', 'repeat first', 'empty', 'swap', 'not an array', 'other model'),
  }),
  fc.record({
    kind: fc.constant('cell field'),
    field: fc.constantFrom(
      'sizes.hidden',
      'sizes.input',
      'sizes.bias',
      'name',
      'state',
      'torch',
      'graph.nodes',
    ),
    value: oddValue,
  }),
  fc.record({
    kind: fc.constant('training field'),
    field: fc.constantFrom('optimizer', 'clip', 'step', 'rng', '__proto__', 'extra'),
    value: oddValue,
  }),
  fc.record({ kind: fc.constant('metadata missing'), key: fc.constantFrom('cells', 'model', 'format') }),
  fc.record({
    kind: fc.constant('tensor'),
    pick: fc.nat(),
    how: fc.constantFrom('flatten', 'transpose', 'drop', 'rename', 'grow', 'NaN', '__proto__'),
  }),
  fc.record({ kind: fc.constant('truncate'), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('trailing'), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
)
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never

function damaged(file: File, other: File, d: Damage): Uint8Array {
  // Maps without a prototype, so a tensor or entry named `__proto__` is written as one.
  const tensors: Record<string, StoredTensor> = Object.assign(Object.create(null), file.tensors)
  const metadata: Record<string, string> = Object.assign(Object.create(null), file.metadata)
  const edit = (key: string, change: (doc: Json) => Json) => {
    metadata[key] = JSON.stringify(change(JSON.parse(metadata[key]!)))
  }
  // A JSON text with a `__proto__` key of its own, as a hostile file would carry it.
  const withOwnKey = (text: string, key: string, value: unknown) =>
    `{${JSON.stringify(key)}:${JSON.stringify(value ?? null)},${text.slice(1)}`
  switch (d.kind) {
    case 'model field':
      if (d.field === '__proto__') metadata.model = withOwnKey(metadata.model!, d.field, d.value)
      else edit('model', (m) => ({ ...m, [d.field]: d.value }))
      break
    case 'model missing':
      edit('model', (m) => {
        delete m[d.field]
        return m
      })
      break
    case 'model replaced':
      metadata.model = JSON.stringify(d.value)
      break
    case 'cells':
      edit('cells', (cells: Json[]) => {
        if (d.how === 'drop last') return cells.slice(0, -1)
        if (d.how === 'repeat first') return [cells[0], ...cells]
        if (d.how === 'empty') return []
        if (d.how === 'swap') return [...cells].reverse()
        if (d.how === 'other model') return JSON.parse(other.metadata.cells!)
        return { cells }
      })
      break
    case 'cell field':
      edit('cells', (cells: Json[]) => {
        const [outer, inner] = d.field.split('.') as [string, string | undefined]
        if (inner === undefined) cells[0][outer] = d.value
        else cells[0][outer][inner] = d.value
        return cells
      })
      break
    case 'training field':
      if (metadata.training === undefined) metadata.training = JSON.stringify({ [d.field]: d.value })
      else if (d.field === '__proto__') metadata.training = withOwnKey(metadata.training, d.field, d.value)
      else edit('training', (t) => ({ ...t, [d.field]: d.value }))
      break
    case 'metadata missing':
      delete metadata[d.key]
      break
    case 'tensor': {
      const names = Object.keys(tensors).sort()
      const name = names[d.pick % names.length]!
      const t = tensors[name]!
      if (d.how === 'flatten') tensors[name] = { ...t, shape: [t.data.length] }
      else if (d.how === 'transpose') tensors[name] = { ...t, shape: [...t.shape].reverse() }
      else if (d.how === 'drop') delete tensors[name]
      else if (d.how === 'rename') {
        delete tensors[name]
        tensors[`${name}x`] = t
      } else if (d.how === 'grow')
        tensors[name] = { ...t, shape: [t.data.length + 1], data: new Float32Array(t.data.length + 1) }
      else if (d.how === 'NaN') {
        const data = Float32Array.from(t.data)
        data[data.length - 1] = Number.NaN
        tensors[name] = { ...t, data }
      } else Object.defineProperty(tensors, '__proto__', { value: t, enumerable: true })
      break
    }
    case 'truncate': {
      const bytes = encode(file)
      return bytes.subarray(0, Math.floor(d.keep * (bytes.length - 1)))
    }
    case 'trailing': {
      const bytes = encode(file)
      const out = new Uint8Array(bytes.length + d.bytes.length)
      out.set(bytes)
      out.set(d.bytes, bytes.length)
      return out
    }
  }
  return encodeSafetensors(tensors, metadata)
}

describe('model files: every field of the metadata is checked', () => {
  it('a saved model loads back as saved', async () => {
    for (const file of files) {
      const { model, error } = await load(encode(file))
      expect(error).toBeUndefined()
      await expectModelOf(model!, file)
      model!.dispose()
    }
  })

  it('a damaged file loads as the model it describes, or is refused naming the field or tensor', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1 }), damage, async (which, d) => {
        const bytes = damaged(files[which]!, files[1 - which]!, d)
        const { model, error } = await load(bytes)
        if (error !== undefined) return expectNamedRefusal(error)
        // Loaded: exactly what the (readable) file says.
        await expectModelOf(model!, decodeFile(bytes))
        model!.dispose()
      }),
      { numRuns: 300, seed: 20261205 },
    )
  })

  it('names the field in examples', async () => {
    const [tokens, classes] = files as [File, File]
    const refused = async (file: File, d: Damage) => {
      const { error } = await load(damaged(file, file, d))
      expectNamedRefusal(error)
      return (error as Error).message
    }
    expect(await refused(tokens, { kind: 'model field', field: 'task', value: 'bogus' })).toBe(
      'metadata model.task: must be one of regression, classification, next-token, got "bogus"',
    )
    expect(await refused(classes, { kind: 'model field', field: 'inputWidth', value: 1.5 })).toBe(
      'metadata model.inputWidth: must be an integer in [1, 65536], got 1.5',
    )
    expect(await refused(tokens, { kind: 'model field', field: 'tokens', value: 'yes' })).toBe(
      'metadata model.tokens: must be true or false, got "yes"',
    )
    expect(await refused(tokens, { kind: 'model field', field: '__proto__', value: {} })).toMatch(
      /^metadata model: has unknown field "__proto__"/,
    )
    expect(await refused(tokens, { kind: 'model field', field: 'embedding', value: 0 })).toBe(
      'metadata cells[0]: reads 2 inputs per step, the model feeds it 4',
    )
    expect(await refused(classes, { kind: 'model field', field: 'direction', value: 'forward' })).toBe(
      "'decoder.weight' has shape [3,4], the model expects [3,2]",
    )
    expect(await refused(tokens, { kind: 'model field', field: 'direction', value: 'reverse' })).toBe(
      "metadata model.direction: task 'next-token' must not see the steps it predicts: direction must be 'forward', got 'reverse'",
    )
    expect(await refused(tokens, { kind: 'model field', field: 'inputWidth', value: 2 ** 31 })).toBe(
      'metadata model.inputWidth: must be an integer in [1, 65536], got 2147483648',
    )
    expect(await refused(tokens, { kind: 'cells', how: 'repeat first' })).toBe(
      'metadata cells[1]: reads 2 inputs per step, the layer below gives 3',
    )
    expect(await refused(tokens, { kind: 'tensor', pick: 0, how: 'NaN' })).toBe(
      "tensor 'decoder.bias': value 3 is NaN",
    )
  })
})

describe('models a file could not hold are refused when made', () => {
  it('names the option or the parameter past the limits', async () => {
    const made = (options: object) =>
      recurrentModel({ cell: gru, inputSize: 1, backend: 'cpu-js', ...options } as never)
    await expect(made({ layers: 257 })).rejects.toThrow('layers must be at most 256, got 257')
    await expect(made({ inputSize: undefined, tokens: 70_000 })).rejects.toThrow(
      'tokens must be at most 65536, got 70000',
    )
    await expect(made({ hidden: 20_000 })).rejects.toThrow(
      "parameter 'l0.r.W' would hold 400020000 values; the limit is 268435456", // 20000 × (20000 + 1)
    )
  })
})

describe('model files: cut short or followed by bytes of nothing', () => {
  const refusal = async (bytes: Uint8Array) => {
    const { error } = await load(bytes)
    expectNamedRefusal(error)
    return (error as Error).message
  }

  it('a file cut anywhere is refused, naming the header or the tensor it cuts', async () => {
    const bytes = encode(files[0]!)
    const dataStart = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))
    expect(await refusal(bytes.subarray(0, 5))).toBe('file is shorter than the 8-byte header length')
    expect(await refusal(bytes.subarray(0, dataStart - 1))).toMatch(
      /^header length \d+ exceeds the file size/,
    )
    expect(await refusal(bytes.subarray(0, bytes.length - 1))).toMatch(/^tensor '[^']+': data_offsets/)
  })

  it('bytes after the last tensor are refused', async () => {
    const bytes = encode(files[1]!)
    const longer = new Uint8Array(bytes.length + 3)
    longer.set(bytes)
    expect(await refusal(longer)).toBe('3 data bytes after the last tensor belong to no tensor')
  })

  it('a model holding a non-finite value is refused on save, naming the tensor', async () => {
    const model = await recurrentModel({ cell: lstm, inputSize: 1, hidden: 2, backend: 'cpu-js' })
    const state = await model.stateDict()
    const [name, weight] = Object.entries(state)[0]!
    const data = Float64Array.from(weight.data)
    data[1] = Number.NaN
    model.loadStateDict({ ...state, [name]: { dims: weight.dims, data } })
    await expect(model.save()).rejects.toThrow(`cannot save: tensor '${name}' holds NaN at element 1`)
    model.dispose()
  })
})

function decodeFile(bytes: Uint8Array): File {
  const { tensors, metadata } = decodeSafetensors(bytes)
  return { tensors: { ...tensors }, metadata: { ...metadata } }
}
