import { cpuBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { dslTemplates } from '../src/cell/templates.js'
import { AddingSession } from '../src/train/adding.js'
import { CharLmSession } from '../src/train/charLm.js'
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

describe('training sessions', () => {
  it('trains the editor cell as a character model; saved bytes continue the run exactly', async () => {
    const session = await CharLmSession.create(backend, setup({}))
    const losses: number[] = []
    for (let i = 0; i < 40; i++) losses.push(await session.step())
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 0.3)
    const bytes = await session.save()
    // Loaded under other settings in the page, it continues with the batch and window it was saved with.
    const loaded = await CharLmSession.load(backend, setup({ batch: 4, length: 8 }), bytes)
    expect(loaded.steps).toBe(40)
    expect(await loaded.step()).toBeCloseTo(await session.step(), 5)
    expect(await session.sample()).toHaveLength(160)
  })

  it('trains on pasted text, and refuses text too short to learn from', async () => {
    const text = 'the cat sat on the mat. '.repeat(20)
    const session = await CharLmSession.create(backend, setup({ text }))
    expect(session.description).toMatch(/your text: \d+ characters/)
    await expect(CharLmSession.create(backend, setup({ text: 'short' }))).rejects.toThrow(/too short/)
    // Saved and loaded without the text, it continues on the built-in corpus's known characters.
    await session.step()
    const loaded = await CharLmSession.load(backend, setup({}), await session.save())
    expect(loaded.steps).toBe(1)
    expect(Number.isFinite(await loaded.step())).toBe(true)
  })

  it('trains the adding problem; saved bytes load with the same parameters', async () => {
    const session = await AddingSession.create(
      backend,
      setup({ task: 'adding', length: 8, batch: 16, lr: 0.01 }),
    )
    const losses: number[] = []
    for (let i = 0; i < 60; i++) losses.push(await session.step())
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)))
    const loaded = await AddingSession.load(
      backend,
      setup({ task: 'adding', length: 8 }),
      await session.save(),
    )
    expect(loaded.steps).toBe(60)
    expect(await loaded.sample()).toMatch(/mean squared error on 256 fresh sequences/)
  })
})
