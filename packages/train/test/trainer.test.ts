import { cpuBackend } from '@cellgraph/backends'
import { evaluate, tensor } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import {
  builtinModel,
  initParams,
  modelGraph,
  modelParams,
  padSequences,
  Rng,
  Trainer,
  Vocabulary,
} from '../src/index.js'
import { seededParams } from './helpers.js'

describe('initialisation', () => {
  it("draws recurrent weights from PyTorch's U(±1/√H), reproducibly by seed", () => {
    const model = builtinModel('gru', { vocabularySize: 6, hidden: 16, layers: 2 })
    const specs = modelParams(modelGraph(model))
    const a = initParams(model, specs, new Rng(4))
    const b = initParams(model, specs, new Rng(4))
    const c = initParams(model, specs, new Rng(5))
    expect(a['l1.z.W']).toEqual(b['l1.z.W'])
    expect(a['l1.z.W']).not.toEqual(c['l1.z.W'])
    const w = Array.from(a['l0.r.W']!)
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.25)
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.2) // spread over the whole range
    expect(w.reduce((s, v) => s + v, 0) / w.length).toBeCloseTo(0, 1)
  })
})

describe('variable-length sequences in one batch', () => {
  it('the masked loss equals the loss of each sequence alone, weighted by its length', () => {
    const model = builtinModel('lstm', { vocabularySize: 4, hidden: 3, layers: 1 })
    const graph = modelGraph(model, { loss: true })
    const params = seededParams(model, 2)
    const run = (sequences: Int32Array[]) => {
      const p = padSequences(sequences)
      const x = tensor([p.steps, p.batch, 4])
      p.inputs.forEach((id, i) => (x.data[i * 4 + id] = 1))
      const zeros = tensor([p.batch, 3])
      return evaluate(graph, {
        x,
        targets: tensor([p.steps, p.batch, 1], p.targets),
        mask: tensor([p.steps, p.batch, 1], p.mask),
        'l0.h0': zeros,
        'l0.c0': zeros,
        ...params,
      }).loss!.data[0]!
    }
    const long = Int32Array.from([0, 1, 2, 3, 0, 1])
    const short = Int32Array.from([3, 2, 1])
    const together = run([long, short])
    const expected = (run([long]) * 5 + run([short]) * 2) / 7
    expect(together).toBeCloseTo(expected, 12)
  })
})

describe('training', () => {
  it('the loss falls on a repetitive text (compiled CPU backend, Adam, truncated BPTT)', async () => {
    const vocabulary = new Vocabulary(['a', 'b', 'c', 'd'])
    const stream = vocabulary.encode('abcdabcaabcdabca'.repeat(40))
    const model = builtinModel('lstm', { vocabularySize: 4, hidden: 12, layers: 1 })
    const trainer = await Trainer.create(cpuBackend(), model, vocabulary, stream, {
      batch: 4,
      window: 8,
      steps: 60,
      lr: 0.03,
      schedule: { kind: 'constant' },
      optimizer: { kind: 'adam' },
      clip: 1,
      seed: 3,
    })
    const losses: number[] = []
    for (let i = 0; i < 60; i++) losses.push((await trainer.trainStep()).loss)
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length
    expect(losses[0]).toBeGreaterThan(1.2) // ≈ ln 4 at the start
    expect(mean(losses.slice(-10))).toBeLessThan(0.6)
    const c = await trainer.checkpoint()
    expect(c.training.step).toBe(60)
    expect(Object.keys(c.optimizer)).toEqual(['exp_avg', 'exp_avg_sq'])
  })
})
