import { referenceBackend } from '@cellgraph/backends'
import { evaluate, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { builtinModel, initParams, modelGraph, modelParams, Rng, StatefulModel } from '../src/index.js'

const backend = referenceBackend()
const model = builtinModel('lstm', { vocabularySize: 5, hidden: 3, layers: 2 })
const graph = modelGraph(model)
const params = Object.fromEntries(
  Object.entries(initParams(model, modelParams(graph), new Rng(3))).map(([n, d]) => [
    n,
    tensor(modelParams(graph).find((p) => p.name === n)!.shape, d),
  ]),
)
const ids = [1, 4, 0, 2, 2, 3]

/** The whole sequence in one call of the reference interpreter: the oracle for step-by-step runs. */
function wholeSequenceLogits(sequence: number[]) {
  const x = tensor([sequence.length, 1, 5])
  sequence.forEach((id, t) => (x.data[t * 5 + id] = 1))
  const zeros = tensor([1, 3])
  return evaluate(graph, { x, 'l0.h0': zeros, 'l0.c0': zeros, 'l1.h0': zeros, 'l1.c0': zeros, ...params })
    .logits!
}

describe('stateful inference', () => {
  it('one step at a time matches the whole sequence at once', async () => {
    const m = await StatefulModel.create(backend, model, params)
    const expected = wholeSequenceLogits(ids)
    for (const [t, id] of ids.entries()) {
      const logits = Array.from(await m.step(id))
      expect(logits).toEqual(
        Array.from(expected.data.subarray(t * 5, (t + 1) * 5)).map((v) => expect.closeTo(v, 12)),
      )
    }
  })

  it('reset forgets the carried state', async () => {
    const m = await StatefulModel.create(backend, model, params)
    for (const id of ids) await m.step(id)
    m.reset()
    const first = Array.from(await m.step(ids[0]!))
    expect(first).toEqual(Array.from(wholeSequenceLogits([ids[0]!]).data).map((v) => expect.closeTo(v, 12)))
  })

  it('rejects an id outside the vocabulary', async () => {
    const m = await StatefulModel.create(backend, model, params)
    await expect(m.step(5)).rejects.toThrow(/token id 5 is outside the vocabulary/)
  })
})
