import { readFileSync } from 'node:fs'
import { decodeSafetensors } from '@cellgraph/train'
import { describe, expect, it, vi } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = (name: string) => readFileSync(new URL(`../examples/${name}.ts`, import.meta.url), 'utf8')

describe('README examples', () => {
  it('PyTorch state dicts: the committed example, verbatim, runs', async () => {
    expect(readme).toContain(example('torchStateDict').trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const { out, saved } = await import('../examples/torchStateDict.js')
    expect(log.mock.calls[0]![0]).toEqual([2, 5, 8])
    expect(out.y!.data.every(Number.isFinite)).toBe(true)
    expect(decodeSafetensors(saved).tensors.weight_hh_l1_reverse!.dtype).toBe('BF16')
    log.mockRestore()
  })
})
