import { cpuBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { dslTemplates } from '../src/cell/templates.js'
import { ModelSession } from '../src/train/modelSession.js'
import type { TrainSetup } from '../src/train/session.js'

const backend = cpuBackend({ name: 'cpu-js' })
const setup = (over: Partial<TrainSetup>): TrainSetup => ({
  task: 'char-lm',
  backend: 'cpu-js',
  source: { form: 'dsl', text: dslTemplates.gru! },
  hidden: 16,
  steps: 100,
  batch: 8,
  lr: 0.02,
  length: 16,
  seed: 1,
  ...over,
})
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

async function train(
  session: ModelSession,
  s: TrainSetup,
  total: number,
  stopAt = Infinity,
): Promise<number[]> {
  const losses: number[] = []
  const stopper = new AbortController()
  await session.train(
    s,
    total,
    async (step, loss) => {
      losses.push(loss)
      if (step >= stopAt) stopper.abort()
    },
    stopper.signal,
  )
  return losses
}

describe('training sessions on the model API', () => {
  it('trains the editor cell as a character model; a saved model loads with the same parameters', async () => {
    const s = setup({})
    const session = await ModelSession.create(backend, s)
    expect(session.description).toMatch(/^gru \(hidden 16\) on the built-in corpus: \d+ characters/)
    const losses = await train(session, s, 40)
    expect(losses).toHaveLength(40)
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 0.3)
    // Loaded under other settings in the page, it is the same model: the same sample, the same step.
    const loaded = await ModelSession.load(backend, setup({ batch: 4, length: 8 }), await session.save())
    expect(loaded.steps).toBe(40)
    const text = await session.sample()
    expect(text).toHaveLength(160)
    expect(await loaded.sample()).toBe(text)
  })

  it('stops between steps and resumes where it stopped', async () => {
    const s = setup({})
    const session = await ModelSession.create(backend, s)
    await train(session, s, 20, 5)
    expect(session.steps).toBe(5)
    await train(session, s, 8)
    expect(session.steps).toBe(8)
  })

  it('trains on pasted text, refuses text too short, and loads without the text', async () => {
    const text = 'the cat sat on the mat. '.repeat(20)
    const session = await ModelSession.create(backend, setup({ text }))
    expect(session.description).toMatch(/your text: \d+ characters/)
    await expect(ModelSession.create(backend, setup({ text: 'short' }))).rejects.toThrow(/too short/)
    await train(session, setup({ text }), 1)
    // Without the text it continues on the built-in corpus's characters that it knows.
    const loaded = await ModelSession.load(backend, setup({}), await session.save())
    expect(loaded.steps).toBe(1)
    expect(await train(loaded, setup({}), 2)).toHaveLength(1)
  })

  it('trains the adding problem; a saved model loads with the same parameters', async () => {
    const s = setup({ task: 'adding', length: 8, batch: 32, lr: 0.01 })
    const session = await ModelSession.create(backend, s)
    const losses = await train(session, s, 60)
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)))
    const loaded = await ModelSession.load(backend, s, await session.save())
    expect(loaded.steps).toBe(60)
    const report = await session.sample()
    expect(report).toMatch(/mean squared error on 256 held-out sequences: \d/)
    expect(await loaded.sample()).toBe(report)
  })

  it('refuses a model file the playground did not save', async () => {
    const { encodeSafetensors } = await import('@cellgraph/train')
    await expect(
      ModelSession.load(backend, setup({}), encodeSafetensors({}, { format: 'x' })),
    ).rejects.toThrow(/not saved by the playground/)
  })
})
