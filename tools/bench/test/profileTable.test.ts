import type { GpuProfile } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { describeProfile, formatProfiles } from '../src/profileTable.js'
import type { TableRow } from '../src/table.js'

const profile: GpuProfile = {
  runs: 1,
  dispatches: 70,
  gpuMs: 4,
  kinds: [
    { kind: 'product with tail', dispatches: 64, ms: 3 },
    { kind: 'copy', dispatches: 6, ms: 1 },
  ],
}
const row: TableRow = {
  config: 'medium',
  mode: 'train',
  engine: 'cellgraph webgpu',
  steps: 64,
  ms: 5,
  profile,
}

describe('profile tables', () => {
  it('describes a profile in one line with each kind’s share', () => {
    expect(describeProfile(profile)).toBe(
      'product with tail 3.00 ms (64 dispatches, 75%), copy 1.00 ms (6 dispatches, 25%); 4.00 ms in kernels',
    )
  })

  it('prints one line per kernel kind of each profiled row, and nothing without one', () => {
    const table = formatProfiles([row, { ...row, engine: 'cellgraph cpu-wasm', profile: undefined }])
    expect(table.split('\n')).toEqual([
      '| config | mode          | engine           | kernel kind       | dispatches | GPU ms | share |',
      '| ------ | ------------- | ---------------- | ----------------- | ---------: | -----: | ----: |',
      '| medium | training step | cellgraph webgpu | product with tail |         64 |   3.00 |   75% |',
      '| medium | training step | cellgraph webgpu | copy              |          6 |   1.00 |   25% |',
    ])
    expect(formatProfiles([{ ...row, profile: undefined }])).toBe('')
  })
})
