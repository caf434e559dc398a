import { tensor } from '@cellgraph/graph'
import { decodeSafetensors, encodeSafetensors } from '@cellgraph/train'
import { describe, expect, it } from 'vitest'
import { loadTorchStateDict, saveTorchStateDict } from '../src/index.js'
import { torchCases, torchFile } from './fixtures.js'

const lstmCase = torchCases.lstm_l1_f64!
const good = torchFile(lstmCase)
const { tensors } = decodeSafetensors(good)
const lstm1 = { cell: 'lstm' } as const

/** Expects a one-line error matching `message`. */
const rejects = (fn: () => unknown, message: RegExp) => {
  let error: Error | undefined
  try {
    fn()
  } catch (e) {
    error = e as Error
  }
  expect(error?.message).toMatch(message)
  expect(error?.message.includes('\n')).toBe(false)
}

describe('bad PyTorch files and options get one-line errors', () => {
  it('truncated files and lying sizes', () => {
    rejects(() => loadTorchStateDict(good.subarray(0, 5), lstm1), /shorter than the 8-byte header length/)
    rejects(
      () => loadTorchStateDict(good.subarray(0, 100), lstm1),
      /header length \d+ exceeds the file size 100/,
    )
    rejects(() => loadTorchStateDict(good.subarray(0, good.length - 8), lstm1), /data_offsets|do not hold/)
  })

  it('wrong dtypes, unknown and missing tensors, wrong shapes', () => {
    const withExtra = encodeSafetensors({ ...tensors, weight_hr_l0: tensors.weight_hh_l0! })
    rejects(() => loadTorchStateDict(withExtra, lstm1), /has 'weight_hr_l0', which nn.LSTM\(layers=1/)
    const ints = encodeSafetensors({
      ...tensors,
      bias_ih_l0: { dtype: 'I32', shape: [16], data: new Int32Array(16) },
    })
    rejects(() => loadTorchStateDict(ints, lstm1), /tensor 'bias_ih_l0' has dtype I32/)
    const { bias_hh_l0: _, ...missing } = tensors
    rejects(() => loadTorchStateDict(encodeSafetensors(missing), lstm1), /'bias_hh_l0' is missing/)
    rejects(() => loadTorchStateDict(good, { cell: 'lstm', layers: 2 }), /'weight_ih_l1' is missing/)
    rejects(
      () => loadTorchStateDict(good, { cell: 'gru' }),
      /'weight_ih_l0' has shape \[16,3\], expected \[12,3\]/,
    )
    rejects(() => loadTorchStateDict(good, { cell: 'lstm', bias: false }), /has 'bias_hh_l0', which nn.LSTM/)
    rejects(
      () => loadTorchStateDict(good, { cell: 'lstmp' as never }),
      /cell must be one of rnn, rnn_relu, lstm, gru/,
    )
    rejects(() => loadTorchStateDict(encodeSafetensors({}), lstm1), /no 'weight_ih_l0'/)
  })

  it('saving checks names, shapes, dtypes and that a bias-free module gets no biases', () => {
    const { params } = loadTorchStateDict(good, lstm1)
    const { 'l0.f.b': _, ...missing } = params
    rejects(() => saveTorchStateDict(missing, lstm1), /parameter 'l0.f.b' is missing/)
    rejects(
      () => saveTorchStateDict(params, lstm1, { dtype: 'I8' as never }),
      /dtype must be F32, F64, F16 or BF16/,
    )
    rejects(
      () => saveTorchStateDict(params, { cell: 'lstm', bias: false }),
      /parameter 'l0.i.b' is a bias, but the module has bias=False/,
    )
    rejects(
      () => saveTorchStateDict({ ...params, 'l0.o.b': tensor([3]) }, lstm1),
      /'l0.o.b' has shape \[3\], expected \[4\]/,
    )
  })
})
