import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sharedBackend } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { builtinCorpus, encodeCheckpoint, loadCheckpoint, type TrainConfig, Trainer } from '../src/node.js'

// Checkpoints written by an earlier `cellgraph train` (fixtures/cliCheckpoints.mjs), and what that
// build's Trainer did on resuming them: a later build must load them and continue the same way.
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))
const expected = JSON.parse(readFileSync(fixture('cliCheckpoints.json'), 'utf8')) as Record<
  string,
  { steps: { step: number; loss: number; gradNorm: number; lr: number }[]; sha256: string }
>

describe('checkpoints written by an earlier build', () => {
  const corpus = builtinCorpus()
  for (const [name, record] of Object.entries(expected))
    it(`${name} resumes with the same losses, gradient norms and final checkpoint bytes`, async () => {
      const saved = loadCheckpoint(fixture(`cliCheckpoints/${name}.safetensors`))
      const config = saved.training.config as TrainConfig
      const backend = await sharedBackend('cpu-js')
      const trainer = await Trainer.create(
        backend,
        saved.model,
        corpus.vocabulary,
        corpus.train,
        config,
        saved,
      )
      const steps = []
      while (trainer.step < config.steps) {
        const r = await trainer.trainStep()
        steps.push({ step: r.step, loss: r.loss, gradNorm: r.gradNorm, lr: r.lr })
      }
      expect(steps).toEqual(record.steps)
      const bytes = encodeCheckpoint(await trainer.checkpoint())
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.sha256)
      trainer.dispose()
    })
})
