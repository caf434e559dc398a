import { defaultCpuBackend } from '@cellgraph/backends'
import { builtinCorpus, builtinModel, loadCheckpoint, Rng, StatefulModel, sampleText, saveCheckpoint, Trainer } from '@cellgraph/train/node'

const corpus = builtinCorpus(20_000, 2_000) // text from the project's own grammar
const model = builtinModel('lstm', { vocabularySize: corpus.vocabulary.size, hidden: 32, layers: 1 })
const backend = defaultCpuBackend() // compiled CPU backend: WebAssembly SIMD kernels
const trainer = await Trainer.create(backend, model, corpus.vocabulary, corpus.train, {
  batch: 8, window: 16, steps: 40, lr: 0.02, clip: 1, seed: 1,
  optimizer: { kind: 'adam' }, schedule: { kind: 'cosine', warmup: 5 },
})
export const losses: number[] = []
for (let i = 0; i < 40; i++) losses.push((await trainer.trainStep()).loss)

saveCheckpoint('/tmp/char-lm.safetensors', await trainer.checkpoint()) // atomic
const saved = loadCheckpoint('/tmp/char-lm.safetensors') // validated
const lm = await StatefulModel.create(backend, saved.model, saved.params)
export const text = await sampleText(lm, saved.vocabulary, new Rng(7), { length: 60, prompt: 'The ' })
