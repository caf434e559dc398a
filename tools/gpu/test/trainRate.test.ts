import { describe, expect, it } from 'vitest'
import { trainRate } from '../src/trainRate.js'

// A `cellgraph train` log as the CLI prints it into a pipe (the dry run's, 2026-12-05).
const log = `Training a 1-layer lstm (hidden 32) on built-in grammar corpus: 200,109 training characters, vocabulary 47.
Backend webgpu; adam lr 0.01, cosine schedule, clip 1; batch 4 × window 32, 4 steps.
step 1/4 [######..................] loss 3.853 (5.56 bits/char)  990 tok/s  ETA 4s
step 2/4 [############............] loss 3.855 (5.56 bits/char)  1,700 tok/s  ETA 2s
step 3/4 [##################......] loss 3.855 (5.56 bits/char)  2,220 tok/s  ETA 1s
step 4/4 [########################] loss 3.853 (5.56 bits/char)  2,600 tok/s  ETA 0s
Trained to step 4 in 2s: loss 3.853 → 3.834 nats/char.`

describe('trainRate', () => {
  it('takes tokens per second between the first and last progress lines', () => {
    // step k has run k·128 tokens in k·128/rate seconds: (512 − 128) / (512/2600 − 128/990)
    const rate = trainRate(log)!
    expect(rate).toMatchObject({ backend: 'webgpu', hidden: 32, batch: 4, window: 32, steps: 3 })
    expect(rate.tokensPerSecond).toBeCloseTo((4 * 128 - 128) / ((4 * 128) / 2600 - 128 / 990), 6)
  })

  it('gives nothing for a log cut off before a second step', () => {
    expect(trainRate(log.split('\n').slice(0, 3).join('\n'))).toBeUndefined()
    expect(trainRate('cellgraph train: the webgpu backend is not available here')).toBeUndefined()
  })
})
