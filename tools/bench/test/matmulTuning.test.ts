import { describe, expect, it } from 'vitest'
import { parseMatmulTuning } from '../src/engines/matmulTuning.js'

describe('CELLGRAPH_WEBGPU_MATMUL', () => {
  it('reads the fields a GPU measurement sweeps', () => {
    expect(parseMatmulTuning(undefined)).toBeUndefined()
    expect(parseMatmulTuning(' ')).toBeUndefined()
    expect(
      parseMatmulTuning(
        'variant=tiled, tile=32,splitK=4,subgroups=0,vec4=0,narrowRows=16,rowGroupWeights=0,rowProductColumns=2,headProducts=0',
      ),
    ).toEqual({
      variant: 'tiled',
      tile: 32,
      splitK: 4,
      subgroups: false,
      vec4: false,
      narrowRows: 16,
      rowGroupWeights: 0,
      rowProductColumns: 2,
      headProducts: false,
    })
  })

  it('names the field it cannot read', () => {
    expect(() => parseMatmulTuning('tile=48')).toThrow('tile=48 is not one of 32, 64')
    expect(() => parseMatmulTuning('tiles=32')).toThrow("unknown field 'tiles'")
    expect(() => parseMatmulTuning('headProducts=yes')).toThrow('headProducts=yes is not one of 0, 1')
    expect(() => parseMatmulTuning('narrowRows=x')).toThrow('narrowRows=x is not a whole number')
    expect(() => parseMatmulTuning('rowGroupWeights=')).toThrow('rowGroupWeights= is not a whole number')
    expect(() => parseMatmulTuning('rowProductColumns=0')).toThrow(
      'rowProductColumns=0 is not a whole number from 1',
    )
  })
})
