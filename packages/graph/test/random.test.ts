import { describe, expect, it } from 'vitest'
import { Rng } from '../src/index.js'

describe('Rng', () => {
  it('is mulberry32: the published first outputs for seed 0', () => {
    // mulberry32(0) computed by an independent Python transcription of the published algorithm.
    const rng = new Rng(0)
    const first = [rng.next(), rng.next(), rng.next()].map((v) => Math.round(v * 4294967296))
    expect(first).toEqual([1144304738, 1416247, 958946056])
  })

  it('resumes exactly from a saved state', () => {
    const a = new Rng(42)
    for (let i = 0; i < 10; i++) a.next()
    const b = new Rng(0)
    b.state = a.state
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(Array.from({ length: 5 }, () => a.next()))
  })

  it('draws integers and categories in range, following the weights', () => {
    const rng = new Rng(7)
    const counts = [0, 0, 0]
    for (let i = 0; i < 3000; i++) counts[rng.categorical([1, 0, 3])]!++
    expect(counts[1]).toBe(0)
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.5)
    expect(counts[2]! / counts[0]!).toBeLessThan(3.5)
    for (let i = 0; i < 100; i++) expect(rng.int(5)).toBeLessThan(5)
  })
})
