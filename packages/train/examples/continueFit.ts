import { loadModel, recurrentModel } from '@cellgraph/train'

// Next-character prediction on a repeating text, trained in two sittings with a save in between.
const text = 'abcabdabcabd'.repeat(4)
const data = Array.from({ length: 16 }, (_, k) => ({
  x: [...text.slice(k, k + 8)].map((c) => c.charCodeAt(0) - 97),
}))
const options = { cell: 'gru', tokens: 4, hidden: 8, layers: 2, dropout: 0.1, seed: 1, backend: 'cpu-js' } as const
const model = await recurrentModel(options)
await model.fit(data, { steps: 6, batchSize: 8 })
const bytes = await model.save() // weights, Adam's moments and step count, the generator's state
const resumed = await loadModel(bytes, { backend: 'cpu-js' })
await resumed.fit(data, { steps: 6, batchSize: 8 }) // carries on where the first sitting stopped

// The same as training 12 steps in one go: every weight equal, bit for bit.
const straight = await recurrentModel(options)
await straight.fit(data, { steps: 12, batchSize: 8 })
const [a, b] = [await resumed.stateDict(), await straight.stateDict()]
export const same = Object.keys(b).every((n) => a[n]!.data.every((v, i) => v === b[n]!.data[i]))
