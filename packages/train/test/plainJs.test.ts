import { cpuBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { builtinModel, learningRate, Trainer, Vocabulary } from '../src/index.js'

// Callers in plain JavaScript get no type errors: what they leave out must fail with a message.
describe('a training configuration from plain JavaScript', () => {
  it('a Trainer without a schedule says which field and which kinds', async () => {
    const vocabulary = new Vocabulary(['a', 'b'])
    const model = builtinModel('gru', { vocabularySize: 2, hidden: 4, layers: 1 })
    const config = { batch: 2, window: 4, steps: 5, lr: 0.01, optimizer: { kind: 'adam' }, clip: 0, seed: 1 }
    await expect(
      Trainer.create(cpuBackend(), model, vocabulary, vocabulary.encode('abab'.repeat(8)), config as never),
    ).rejects.toThrow(
      "config.schedule must be an object { kind: 'constant' | 'cosine' | 'linear' | 'step', ... }, got undefined",
    )
  })

  it('a misspelt or incomplete schedule', () => {
    expect(() => learningRate(0.1, { kind: 'cosin' } as never, 0, 10)).toThrow(`got {"kind":"cosin"}`)
    expect(() => learningRate(0.1, { kind: 'step' } as never, 0, 10)).toThrow(
      "schedule of kind 'step' needs every (>= 1) and gamma",
    )
  })
})
