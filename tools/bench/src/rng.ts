/** A small seeded generator (mulberry32): every run of the bench sees the same weights and inputs. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` values uniform in [-bound, bound). */
export function uniform(count: number, bound: number, seed: number): Float32Array {
  const next = seededRandom(seed)
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) out[i] = (2 * next() - 1) * bound
  return out
}
