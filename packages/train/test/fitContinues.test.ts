import { gru, Rng, type Tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  encodeSafetensors,
  type FitOptions,
  loadModel,
  type RecurrentModel,
  recurrentModel,
  type Sequence,
} from '../src/index.js'

const rng = new Rng(11)
/** Last-step classification: is the sum of 2 to 5 values in [−1, 1] positive? */
const data: Sequence[] = Array.from({ length: 24 }, () => {
  const x = Array.from({ length: 2 + Math.floor(rng.next() * 4) }, () => [rng.uniform(-1, 1)])
  return { x, y: x.reduce((s, [v]) => s + v!, 0) > 0 ? 1 : 0 }
})
// Two layers with dropout and shuffling: the generator's state matters as much as the moments.
const options = {
  cell: gru,
  inputSize: 1,
  hidden: 5,
  layers: 2,
  dropout: 0.2,
  task: 'classification',
  outputs: 2,
  seed: 4,
  backend: 'cpu-js',
} as const
// 24 sequences in batches of 8: 3 steps an epoch, so 6 steps end an epoch as a second call begins one.
const fitOptions: FitOptions = { batchSize: 8, lr: 0.02, clip: 1, optimizer: { kind: 'adam' } }

async function fitted(
  stepsPerCall: readonly number[],
  between?: (m: RecurrentModel) => Promise<RecurrentModel>,
) {
  let model = await recurrentModel(options)
  const losses: number[] = []
  for (const [k, steps] of stepsPerCall.entries()) {
    if (k > 0 && between) model = await between(model)
    await model.fit(data, { ...fitOptions, steps, onStep: (r) => void losses.push(r.loss) })
  }
  return { model, losses, state: await model.stateDict() }
}

const bits = (state: Record<string, Tensor>) =>
  Object.fromEntries(Object.entries(state).map(([n, t]) => [n, Array.from(t.data)]))

describe('fit continues across calls', () => {
  it('fit(6) then fit(3) equals fit(9) bit for bit (cpu-js, same data order)', async () => {
    const once = await fitted([9])
    const twice = await fitted([6, 3])
    expect(twice.losses).toEqual(once.losses)
    expect(bits(twice.state)).toEqual(bits(once.state))
  })

  it('a model saved after fit(6) and loaded continues as fit(9) does', async () => {
    const once = await fitted([9])
    const resumed = await fitted([6, 3], async (m) => loadModel(await m.save(), { backend: 'cpu-js' }))
    expect(resumed.losses).toEqual(once.losses)
    expect(bits(resumed.state)).toEqual(bits(once.state))
  })

  it('save({ optimizer: false }) leaves the training state out; save() names the moments after the state dict', async () => {
    const { model } = await fitted([6])
    const bytes = await model.save({ optimizer: false })
    const { tensors, metadata } = decodeSafetensors(bytes)
    expect(Object.keys(tensors).some((n) => n.startsWith('optimizer.'))).toBe(false)
    expect(metadata.training).toBeUndefined()
    const full = decodeSafetensors(await model.save())
    expect(Object.keys(full.tensors)).toContain('optimizer.exp_avg.rnn.weight_ih_l0')
    expect(Object.keys(full.tensors)).toContain('optimizer.exp_avg_sq.decoder.bias')
    expect(JSON.parse(full.metadata.training!)).toMatchObject({
      optimizer: { kind: 'adam' },
      clip: 1,
      step: 6,
    })
  })

  it('another optimizer or clip, or resetOptimizer(), starts fresh moments', async () => {
    const fresh = async (m: RecurrentModel) => {
      m.resetOptimizer()
      return m
    }
    const reset = await fitted([6, 3], fresh)
    const continued = await fitted([6, 3])
    expect(reset.losses.slice(0, 7)).toEqual(continued.losses.slice(0, 7)) // step 7's loss precedes its update
    expect(bits(reset.state)).not.toEqual(bits(continued.state))
    // A second call with another clip: the same as resetting first.
    let model = await recurrentModel(options)
    await model.fit(data, { ...fitOptions, steps: 6 })
    await model.fit(data, { ...fitOptions, steps: 3, clip: 2 })
    const otherClip = bits(await model.stateDict())
    model = await recurrentModel(options)
    await model.fit(data, { ...fitOptions, steps: 6 })
    model.resetOptimizer()
    await model.fit(data, { ...fitOptions, steps: 3, clip: 2 })
    expect(otherClip).toEqual(bits(await model.stateDict()))
  })

  it('a damaged training state is refused, naming the field or tensor', async () => {
    const { model } = await fitted([3])
    const { tensors, metadata } = decodeSafetensors(await model.save())
    const withMetadata = (training: string) => encodeSafetensors(tensors, { ...metadata, training })
    await expect(
      loadModel(withMetadata('{"optimizer":{"kind":"adam"},"clip":1,"step":-1,"rng":3}')),
    ).rejects.toThrow(/metadata training\.step/)
    await expect(
      loadModel(withMetadata('{"optimizer":{"kind":"bogus"},"clip":1,"step":1,"rng":3}')),
    ).rejects.toThrow(/metadata training\.optimizer\.kind/)
    const { 'optimizer.exp_avg.decoder.bias': _, ...missing } = tensors
    await expect(loadModel(encodeSafetensors(missing, metadata))).rejects.toThrow(
      /tensor 'optimizer\.exp_avg\.decoder\.bias'.*missing/,
    )
    const extra = { ...tensors, 'optimizer.momentum_buffer.decoder.bias': tensors['decoder.bias']! }
    await expect(loadModel(encodeSafetensors(extra, metadata))).rejects.toThrow(
      /momentum_buffer.*no state of adam/,
    )
    const { training: __, ...untrained } = metadata
    await expect(loadModel(encodeSafetensors(tensors, untrained))).rejects.toThrow(/no metadata 'training'/)
  })
})
