// Bundled by Vite from the installed tarballs: trains a custom cell with fit on cpu-js in the page,
// saves it to IndexedDB, and (loaded again with ?reload) reads it back and predicts the same.
import { add, concat, defineCell, layer, mul, oneMinus, Rng, sigmoid, tanh } from '@cellgraph/graph'
import { loadFromIndexedDB, loadModel, recurrentModel, saveToIndexedDB } from '@cellgraph/train'

const gated = defineCell('gated', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const z = layer('z', concat(h, x), hidden, sigmoid)
  const h2 = add(mul(z, h), mul(oneMinus(z), layer('c', concat(h, x), hidden, tanh)))
  return { state: { h: h2 }, output: h2 }
})
const rng = new Rng(1)
const data = Array.from({ length: 200 }, () => {
  const x = Array.from({ length: 3 + Math.floor(rng.next() * 6) }, () => [rng.next() < 0.5 ? -1 : 1])
  return { x, y: x.reduce((sum, [v]) => sum + v!, 0) > 0 ? 1 : 0 }
})
const probe = [{ x: [[1], [1], [-1]] }, { x: [[-1], [-1], [1], [-1]] }]
const report = (result: object) => Object.assign(globalThis, { packCheckResult: result })

async function main() {
  if (new URLSearchParams(location.search).has('reload')) {
    const bytes = await loadFromIndexedDB('pack-check-model')
    if (!bytes) throw new Error('nothing stored under pack-check-model')
    const model = await loadModel(bytes, { backend: 'cpu-js' })
    report({ predictions: (await model.predict(probe)).map((p) => Array.from(p)), bytes: bytes.length })
    return
  }
  const model = await recurrentModel({
    cell: gated,
    inputSize: 1,
    hidden: 12,
    task: 'classification',
    outputs: 2,
    backend: 'cpu-js',
  })
  const history = await model.fit(data.slice(0, 160), {
    epochs: 10,
    batchSize: 16,
    lr: 0.02,
    validation: data.slice(160),
  })
  const bytes = await model.save()
  await saveToIndexedDB('pack-check-model', bytes)
  report({
    accuracy: history.epochs.at(-1)!.validation!.accuracy,
    predictions: (await model.predict(probe)).map((p) => Array.from(p)),
    bytes: bytes.length,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  })
}
main().catch((e: Error) => report({ error: `${e.name}: ${e.message}\n${e.stack}` }))
