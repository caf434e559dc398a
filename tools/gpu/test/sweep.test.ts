import { parseMatmulTuning } from '@cellgraph/bench'
import { describe, expect, it } from 'vitest'
import { productSweep } from '../src/sweep.js'

describe('the product-kernel sweep', () => {
  it('starts with the default and names only settings the bench accepts', () => {
    expect(productSweep[0]).toEqual({ name: 'default', setting: '' })
    expect(parseMatmulTuning(productSweep[0]!.setting)).toBeUndefined()
    for (const { name, setting } of productSweep.slice(1)) {
      expect(name).toMatch(/^[A-Za-z0-9-]+$/) // a file name in $OUT
      expect(parseMatmulTuning(setting)).toBeDefined()
    }
  })
})
