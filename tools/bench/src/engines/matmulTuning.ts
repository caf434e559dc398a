import type { MatmulTuning } from '@cellgraph/backends'

/**
 * The WebGPU matrix-product tuning a GPU measurement sweeps, from CELLGRAPH_WEBGPU_MATMUL, e.g.
 * 'variant=tiled,tile=32,splitK=4,subgroups=0,vec4=0'. Unset or empty: the backend's defaults.
 */
export function parseMatmulTuning(text: string | undefined): MatmulTuning | undefined {
  if (!text?.trim()) return undefined
  const tuning: Record<string, unknown> = {}
  const oneOf = (key: string, value: string, allowed: readonly string[]) => {
    if (!allowed.includes(value))
      throw new Error(`CELLGRAPH_WEBGPU_MATMUL: ${key}=${value} is not one of ${allowed.join(', ')}`)
    return value
  }
  for (const field of text.split(',')) {
    const [key = '', value = ''] = field.split('=').map((s) => s.trim())
    if (key === 'variant') tuning.variant = oneOf(key, value, ['auto', 'tiled', 'narrow'])
    else if (key === 'tile') tuning.tile = Number(oneOf(key, value, ['32', '64']))
    else if (key === 'splitK') tuning.splitK = Number(oneOf(key, value, ['1', '2', '4']))
    else if (key === 'subgroups') tuning.subgroups = oneOf(key, value, ['0', '1']) === '1'
    else if (key === 'vec4') tuning.vec4 = oneOf(key, value, ['0', '1']) === '1'
    else if (key === 'headProducts') tuning.headProducts = oneOf(key, value, ['0', '1']) === '1'
    else if (key === 'narrowRows' || key === 'rowGroupWeights' || key === 'rowProductColumns') {
      const count = Number(value)
      if (!value || !Number.isInteger(count) || count < (key === 'rowProductColumns' ? 1 : 0))
        throw new Error(
          `CELLGRAPH_WEBGPU_MATMUL: ${key}=${value} is not a whole number${key === 'rowProductColumns' ? ' from 1' : ''}`,
        )
      tuning[key] = count
    } else
      throw new Error(
        `CELLGRAPH_WEBGPU_MATMUL: unknown field '${key}' (variant, tile, splitK, subgroups, vec4, narrowRows, rowGroupWeights, rowProductColumns, headProducts)`,
      )
  }
  return tuning as MatmulTuning
}
