import { lstm } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { loadModel, recurrentModel } from '../src/index.js'

describe('a model of cells without biases (bias: false)', () => {
  it('fits, saves PyTorch names without bias tensors, and loads back as the same model', async () => {
    const model = await recurrentModel({
      cell: 'lstm',
      inputSize: 2,
      hidden: 3,
      layers: 2,
      bias: false,
      backend: 'cpu-js',
    })
    expect(model.spec.cells.map((c) => c.sizes.bias)).toEqual([false, false])
    const data = [
      {
        x: [
          [0.5, 1],
          [0.2, 0],
          [1, -1],
        ],
        y: [0.3],
      },
      {
        x: [
          [-1, 0.5],
          [0, 0.1],
        ],
        y: [-0.2],
      },
    ]
    await model.fit(data, { steps: 3, batchSize: 2 })
    const names = Object.keys(await model.stateDict())
    expect(names.filter((n) => n.startsWith('rnn.')).sort()).toEqual([
      'rnn.weight_hh_l0',
      'rnn.weight_hh_l1',
      'rnn.weight_ih_l0',
      'rnn.weight_ih_l1',
    ])
    const again = await loadModel(await model.save(), { backend: 'cpu-js' })
    expect(again.spec.cells.map((c) => c.sizes)).toEqual(model.spec.cells.map((c) => c.sizes))
    expect(await again.predict(data)).toEqual(await model.predict(data))
    model.dispose()
    again.dispose()
  })

  it('names a wrong bias option', async () => {
    await expect(recurrentModel({ cell: lstm, inputSize: 2, bias: 'no' as never })).rejects.toThrow(
      'bias must be true or false, got no',
    )
    const cell = JSON.parse(JSON.stringify(lstm({ input: 2, hidden: 3 })))
    await expect(
      recurrentModel({ cell: { format: 'cellgraph-cell', version: 1, ...cell }, inputSize: 2, bias: false }),
    ).rejects.toThrow('the cell JSON has biases, the options say bias: false')
  })
})
